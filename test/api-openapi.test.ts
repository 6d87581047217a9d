import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness.ts';
import { freshStore } from './helpers/infra.ts';

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: { type?: string; enum?: string[]; items?: { enum?: string[] }; format?: string };
}
interface Operation {
  parameters: Parameter[];
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
  'x-access': string;
}
type Document = { paths: Record<string, Record<string, Operation>> };

/** Values that satisfy a parameter alone, by name, for calls that must succeed. */
const SAMPLE: Record<string, string> = {
  startDate: '2025-01-01',
  endDate: '2025-01-31',
  tenantId: 'tenant-a',
  userId: 'user-1',
  tz: 'Asia/Kathmandu',
  provider: 'openai',
  model: 'gpt-4o',
  touchpoint: 'main-chat',
  limit: '5',
};
/** A value outside what each documented non-enum parameter allows. */
const REFUSED: Record<string, string> = {
  startDate: '2025-13-01',
  endDate: '2025-02-30',
  tz: 'Not/AZone',
  limit: '0',
  tenantId: 'x'.repeat(129),
  userId: 'x'.repeat(257),
  provider: 'x'.repeat(257),
  model: 'x'.repeat(257),
  touchpoint: 'x'.repeat(257),
};
/** What an enum value needs beside it to make sense (a scope names its tenant or user). */
const COMPANIONS: Record<string, Record<string, string>> = {
  'scope=tenant': { tenantId: 'tenant-a' },
  'scope=user': { tenantId: 'tenant-a', userId: 'user-1' },
};

describe('the OpenAPI document says what the server accepts and answers', () => {
  let store: Awaited<ReturnType<typeof freshStore>>;
  let api: TestApi;
  let document: Document;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat('date-time', { validate: (text: string) => !Number.isNaN(Date.parse(text)) });

  beforeAll(async () => {
    store = await freshStore();
    await store.client.command({
      query: `INSERT INTO llm_calls (event_id, kind, occurred_at, ingested_at, tenant_id, user_id,
                touchpoint, provider, model, service_tier, input_tokens, output_tokens,
                request_count, cost_usd, pricing_status, unpriced_requests)
              SELECT toString(number), 'call', toDateTime64('2025-01-10 12:00:00', 3, 'UTC') +
                number * 3600, now64(3), 'tenant-a', 'user-1', 'main-chat', 'openai', 'gpt-4o',
                'standard', 1000, 100, 1, toDecimal128('0.0035', 18), 'priced', 0
              FROM numbers(30)`,
    });
    api = await startTestApi(store);
    document = (await (await fetch(`${api.url}/api/openapi.json`)).json()) as Document;
  });

  afterAll(async () => {
    await api?.close();
    await store?.close();
  });

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
  const queryOf = (operation: Operation, extra: Record<string, string> = {}) => {
    const query = new URLSearchParams();
    for (const p of operation.parameters) {
      if (p.in === 'query' && p.required) query.set(p.name, SAMPLE[p.name] ?? 'x');
    }
    for (const [name, value] of Object.entries(extra)) query.set(name, value);
    return query;
  };
  const getOperations = () =>
    operations().filter((o) => o.method === 'get' && !o.path.includes('{'));

  it('is served without a key and documents every cost route', () => {
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/costs/aggregate',
        '/api/costs/by-tenant',
        '/api/costs/by-user',
        '/api/costs/by-touchpoint',
        '/api/costs/by-model',
        '/api/costs/trends',
        '/api/time-zones',
        '/api/keys',
        '/api/keys/{keyId}',
        '/api/sql',
        '/api/whoami',
      ]),
    );
  });

  it('lists routes the server has, with the access it enforces', async () => {
    for (const { path, method, operation } of operations()) {
      const url = `${api.url}${path.replace('{keyId}', '0000000000000000')}`;
      const anonymous = await fetch(url, { method: method.toUpperCase() });
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      if (operation['x-access'] !== 'admin') continue;
      const { key } = await api.keys.create({ tenantId: 'tenant-a', grants: [], label: '' });
      const tenant = await fetch(url, {
        method: method.toUpperCase(),
        headers: { authorization: `Bearer ${key}` },
      });
      expect(tenant.status, `${method} ${path} with a tenant key`).toBe(403);
    }
  });

  it('answers each GET with a body its documented schema accepts, in JSON and CSV', async () => {
    for (const { path, operation } of getOperations()) {
      const response = await api.get(`${path}?${queryOf(operation)}`);
      const body = await response.json();
      const content = operation.responses['200']!.content!;
      const validate = ajv.compile(content['application/json']!.schema);
      expect(response.status, path).toBe(200);
      expect(validate(body), `${path}: ${ajv.errorsText(validate.errors)}`).toBe(true);

      if (!content['text/csv']) continue;
      const csv = await api.get(`${path}?${queryOf(operation)}`, { accept: 'text/csv' });
      expect(csv.headers.get('content-type'), path).toMatch(/^text\/csv/);
    }
  });

  it('accepts every documented enum value and refuses others, naming the parameter', async () => {
    for (const { path, operation } of getOperations()) {
      for (const p of operation.parameters.filter((p) => p.in === 'query')) {
        const values = p.schema.enum ?? p.schema.items?.enum ?? [];
        for (const value of values) {
          const extra = { [p.name]: value, ...COMPANIONS[`${p.name}=${value}`] };
          const response = await api.get(`${path}?${queryOf(operation, extra)}`);
          expect(response.status, `${path} ${p.name}=${value}`).toBe(200);
        }
        const bad = values.length > 0 ? 'not-a-documented-value' : REFUSED[p.name];
        if (bad === undefined) continue;
        const refused = await api.get(`${path}?${queryOf(operation, { [p.name]: bad })}`);
        const body = (await refused.json()) as { error: { field: string } };
        expect(refused.status, `${path} ${p.name}=${bad}`).toBe(400);
        expect(body.error.field).toBe(p.name);
      }
      const unknown = await api.get(`${path}?${queryOf(operation, { undocumented: '1' })}`);
      expect(unknown.status, `${path} with an undocumented parameter`).toBe(400);
    }
  });

  it('marks as required exactly the parameters the server cannot do without', async () => {
    for (const { path, operation } of getOperations()) {
      for (const p of operation.parameters.filter((p) => p.in === 'query' && p.required)) {
        const query = queryOf(operation);
        query.delete(p.name);
        const response = await api.get(`${path}?${query}`);
        expect(response.status, `${path} without ${p.name}`).toBe(400);
      }
      const optional = operation.parameters.filter((p) => p.in === 'query' && !p.required);
      expect(optional.every((p) => !queryOf(operation).has(p.name))).toBe(true);
    }
  });
});
