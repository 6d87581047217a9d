import { z } from 'zod';
import type { Repricer } from '../consumers/pricing/repricer.ts';
import { HttpError, readJson, sendJson } from './http.ts';
import type { Route } from './router.ts';

const day = z.iso.date().transform((text) => Date.parse(`${text}T00:00:00Z`));

export const repriceRequest = z
  .strictObject({
    from: day,
    to: day,
    tenantId: z.string().min(1).optional(),
    dryRun: z.boolean().default(false),
  })
  .refine((request) => request.to > request.from, {
    message: 'to must be after from',
    path: ['to'],
  });

/**
 * POST /api/reprice: prices the stored calls of [from, to) (UTC dates) again
 * and records the differences as corrections. Admin only.
 */
export function repriceRoute(repricer: Repricer): Route {
  return {
    method: 'POST',
    path: '/api/reprice',
    access: 'admin',
    async handle({ request, response }) {
      const parsed = repriceRequest.safeParse(await readJson(request));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new HttpError(
          400,
          'BAD_REQUEST',
          issue?.message ?? 'bad request',
          String(issue?.path[0] ?? ''),
        );
      }
      sendJson(response, 200, await repricer.run(parsed.data));
    },
  };
}
