import crypto from 'node:crypto';
import {
  parseCompactionRequest,
  type CompactionRequest,
} from '../../compaction-worker/worker/request.ts';
import { ValidationError } from '../../lib/errors.ts';
import type { Principal } from '../auth.ts';
import { badField, fromValidationError } from '../body.ts';
import { HttpError } from '../http.ts';
import type { CompactionBody } from './compaction-schemas.ts';

/**
 * The request a body asks for, checked in full as the worker would check
 * it (message shapes, the fields the strategy needs): a tenant key's
 * request is its tenant's, an admin's names its tenant. The id is the
 * body's or a new UUID; the time is now.
 */
export function compactionRequestOf(
  body: CompactionBody,
  principal: Principal,
  now: number,
): CompactionRequest {
  const tenantId = tenantFor(body, principal);
  try {
    return parseCompactionRequest({
      ...body,
      requestId: body.requestId ?? crypto.randomUUID(),
      tenantId,
      requestedAt: now,
    });
  } catch (error) {
    if (error instanceof ValidationError) throw fromValidationError(error);
    throw error;
  }
}

function tenantFor(body: CompactionBody, principal: Principal): string {
  if (principal.role === 'tenant') {
    if (body.tenantId !== undefined && body.tenantId !== principal.tenantId) {
      throw new HttpError(403, 'FORBIDDEN', 'a tenant key submits for its own tenant only');
    }
    return principal.tenantId;
  }
  if (body.tenantId === undefined) {
    throw badField('tenantId', 'required with the admin key: the tenant the model calls are for');
  }
  return body.tenantId;
}
