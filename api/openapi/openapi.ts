import { z } from 'zod';
import type { ParamSpec } from '../costs/query-params.ts';
import type { Route } from '../router.ts';
import type { RouteDoc } from './route-doc.ts';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string', description: 'Starts with the parameter at fault, if any.' },
        field: { type: 'string', description: 'The parameter or field at fault.' },
      },
    },
  },
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/**
 * The OpenAPI 3.1 document of the routes that carry a `doc`: parameters
 * and bodies come from the zod schemas the routes validate with, so the
 * document says what the server accepts.
 */
export function buildOpenApi(routes: readonly Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    if (!route.doc) continue;
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route, route.doc);
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'llm-cost-pipeline API',
      version: '1',
      description:
        'What LLM calls cost, from the ClickHouse rollups. Money is an exact decimal ' +
        'string of US dollars; counts are integers. Send `Authorization: Bearer <key>`: ' +
        'the admin key sees everything, a tenant key only its tenant.',
    },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: errorSchema },
    },
    security: [{ bearer: [] }],
  };
}

function operation(route: Route, doc: RouteDoc): Record<string, unknown> {
  const pathParams = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const queryParams = Object.entries(doc.params ?? {}).map(([name, spec]) => parameter(name, spec));

  const content: Record<string, unknown> = {};
  if (doc.response) content['application/json'] = { schema: jsonSchema(doc.response, 'output') };
  if (doc.csv) {
    content['text/csv'] = { schema: { type: 'string', description: 'A header row, then rows.' } };
  }
  if (doc.eventStream) {
    content['text/event-stream'] = { schema: { type: 'string', description: doc.eventStream } };
  }
  return {
    tags: [doc.tag],
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    'x-access': route.access,
    ...(route.grant ? { 'x-grant': route.grant } : {}),
    parameters: [...pathParams, ...queryParams],
    ...(doc.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(doc.body, 'input') } },
          },
        }
      : {}),
    responses: {
      [String(doc.status ?? 200)]: { description: 'Success', content },
      '400': errorResponse('A parameter or the body is not valid; the message names it.'),
      '401': errorResponse('The key is missing or unknown.'),
      '403': errorResponse('The key may not see this (another tenant, or admin only).'),
      ...otherResponses(doc),
    },
  };
}

function otherResponses(doc: RouteDoc): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(doc.otherResponses ?? {}).map(([status, other]) => [
      status,
      other.schema
        ? {
            description: other.description,
            content: { 'application/json': { schema: jsonSchema(other.schema, 'output') } },
          }
        : errorResponse(other.description),
    ]),
  );
}

function parameter(name: string, spec: ParamSpec): Record<string, unknown> {
  const required = !spec.schema.safeParse(undefined).success;
  const base = { name, in: 'query', required, description: spec.description };
  if (spec.list) {
    const schema = { type: 'array', items: { type: 'string', enum: spec.list }, uniqueItems: true };
    return { ...base, style: 'form', explode: false, schema };
  }
  return { ...base, schema: spec.documentAs ?? jsonSchema(spec.schema, 'input') };
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  // The dialect is the document's (OpenAPI 3.1 is JSON Schema 2020-12), not each schema's.
  const converted: Record<string, unknown> = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  delete converted.$schema;
  return converted;
}
