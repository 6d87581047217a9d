import { z } from 'zod';
import type { Repricer } from '../consumers/pricing/repricer.ts';
import { sendJson } from './http.ts';
import { readBodyAs } from './body.ts';
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

const repriceResult = z
  .object({
    examined: z.int(),
    corrections: z.int(),
    newlyPriced: z.int().meta({ description: 'Calls that were unpriced and now have a price.' }),
    alreadyStored: z.int().meta({
      description:
        'Corrections another repricer stored first: the same correction of the same call.',
    }),
    changeUsd: z
      .string()
      .regex(/^-?\d+(\.\d+)?$/)
      .meta({ description: 'The sum of all corrections: an exact decimal of US dollars.' }),
    dryRun: z.boolean(),
  })
  .strict();

/**
 * POST /api/reprice: prices the stored calls of [from, to) (UTC dates) again
 * and records the differences as corrections. Admin only.
 */
export function repriceRoute(repricer: Repricer): Route {
  return {
    method: 'POST',
    path: '/api/reprice',
    access: 'admin',
    doc: {
      tag: 'pricing',
      summary: 'Price stored calls again and record the differences as corrections',
      description:
        'Calls from `from` (included) to `to` (excluded), UTC dates, optionally of one ' +
        'tenant, are priced with the price book of now; each difference becomes a ' +
        'correction row (and event), never an update. `dryRun` counts without writing.',
      body: repriceRequest,
      response: repriceResult,
    },
    async handle({ request, response }) {
      sendJson(response, 200, await repricer.run(await readBodyAs(request, repriceRequest)));
    },
  };
}
