import type { z } from 'zod';
import type { ParamSpecs } from '../costs/query-params.ts';

/** What the OpenAPI document says of a route; built from the schemas the route validates with. */
export interface RouteDoc {
  summary: string;
  description?: string;
  tag: string;
  /** Query parameters, exactly those the route accepts. */
  params?: ParamSpecs;
  /** A JSON request body. */
  body?: z.ZodType;
  /** The JSON answer on success. */
  response?: z.ZodType;
  /** The success status when it is not 200. */
  status?: number;
  /** Also answers `text/csv` (with `Accept: text/csv` or `format=csv`). */
  csv?: boolean;
}
