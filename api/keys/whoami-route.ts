import { z } from 'zod';
import { parseParams } from '../costs/query-params.ts';
import { sendJson } from '../http.ts';
import type { Route } from '../router.ts';
import { GRANTS } from './api-key.ts';

const whoami = z.object({
  role: z.enum(['admin', 'tenant']),
  tenantId: z.string().optional(),
  keyId: z.string().optional(),
  grants: z.array(z.enum(GRANTS)).optional(),
});

/** `GET /api/whoami`: what the key is, so that the dashboard shows only what it may see. */
export function whoamiRoute(): Route {
  return {
    method: 'GET',
    path: '/api/whoami',
    access: 'tenant',
    doc: { tag: 'keys', summary: 'Who the key belongs to', response: whoami },
    async handle({ response, principal, url }) {
      parseParams(url.searchParams, {});
      sendJson(response, 200, principal);
    },
  };
}
