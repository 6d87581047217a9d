import type { Scope } from '../consumers/alerting/scope.ts';
import type { Principal } from './auth.ts';
import { HttpError } from './http.ts';

/**
 * Refuses a tenant key anything of a scope outside its tenant: a scope
 * without `tenant` spans every tenant (platform, a touchpoint, a model), and
 * one of another tenant is not its own. The admin key passes.
 */
export function checkScopeAccess(principal: Principal, scope: Scope, what: string): void {
  if (principal.role === 'admin' || scope.tenant === principal.tenantId) return;
  throw new HttpError(
    403,
    'FORBIDDEN',
    `a tenant key reaches only ${what} of scopes inside its tenant (tenant=${principal.tenantId}…)`,
  );
}

/** The tenant a key is limited to, or undefined for the admin key. */
export function tenantOf(principal: Principal): string | undefined {
  return principal.role === 'tenant' ? principal.tenantId : undefined;
}
