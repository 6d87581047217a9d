import { z } from 'zod';
import { parseParams, param } from '../costs/query-params.ts';
import { HttpError, sendJson } from '../http.ts';
import { readBodyAs } from '../body.ts';
import type { Route } from '../router.ts';
import { GRANTS } from './api-key.ts';
import type { ApiKeyStore } from './api-key-store.ts';

/** Tenant ids as the pipeline accepts them on events (schemas/llm-call.ts). */
const tenantId = z.string().trim().min(1).max(128);

/** A key to issue, as `POST /api/keys` and `llmcost keys create` take it. */
export const createKeySchema = z.strictObject({
  tenantId,
  grants: z.array(z.enum(GRANTS)).default([]),
  label: z.string().max(200).default(''),
});

const keyRecord = z.object({
  keyId: z.string(),
  tenantId: z.string(),
  grants: z.array(z.enum(GRANTS)),
  label: z.string(),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().nullable(),
});

const listParams = {
  tenantId: param({
    schema: tenantId.optional(),
    description: 'Only the keys of this tenant.',
    expects: 'a tenant id of 1 to 128 characters',
  }),
};

/**
 * Admin endpoints for tenant keys; `llmcost keys` uses them when another
 * process owns the embedded store. The key itself is in the creation
 * answer only.
 */
export function keyRoutes(store: ApiKeyStore): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/keys',
      access: 'admin',
      doc: {
        tag: 'keys',
        summary: 'Issue a tenant key (shown once)',
        body: createKeySchema,
        status: 201,
        response: keyRecord.extend({ key: z.string() }),
      },
      async handle({ request, response }) {
        const { key, record } = await store.create(await readBodyAs(request, createKeySchema));
        sendJson(response, 201, { ...record, key });
      },
    },
    {
      method: 'GET',
      path: '/api/keys',
      access: 'admin',
      doc: {
        tag: 'keys',
        summary: 'List tenant keys (never the keys themselves)',
        params: listParams,
        response: z.object({ keys: z.array(keyRecord) }),
      },
      async handle({ response, url }) {
        const { tenantId: tenant } = parseParams(url.searchParams, listParams);
        sendJson(response, 200, { keys: await store.list(tenant) });
      },
    },
    {
      method: 'DELETE',
      path: '/api/keys/:keyId',
      access: 'admin',
      doc: {
        tag: 'keys',
        summary: 'Revoke a tenant key',
        response: z.object({ keyId: z.string(), revoked: z.literal(true) }),
      },
      async handle({ response, params }) {
        const keyId = params.keyId!;
        if (!(await store.revoke(keyId))) {
          throw new HttpError(404, 'NOT_FOUND', `no live key ${keyId}`, 'keyId');
        }
        sendJson(response, 200, { keyId, revoked: true });
      },
    },
  ];
}
