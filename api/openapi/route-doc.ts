import type { z } from 'zod';
import type { ParamSpecs } from '../costs/query-params.ts';

/** An answer a route gives besides its success and the errors every route shares. */
export interface OtherResponse {
  description: string;
  /** Its JSON body; without one the answer is the common error body. */
  schema?: z.ZodType;
}

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
  /** The success answer is a stream of server-sent events; says what the events are. */
  eventStream?: string;
  /** Other answers by status, such as 202 while a job runs, 404 or 413. */
  otherResponses?: Record<string, OtherResponse>;
}
