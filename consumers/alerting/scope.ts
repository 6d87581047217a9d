import { ValidationError } from '../../lib/errors.ts';

/** The dimensions a scope may restrict, in their canonical order (CONTRACTS.md). */
export const SCOPE_KEYS = ['tenant', 'user', 'touchpoint', 'model'] as const;
export type ScopeKey = (typeof SCOPE_KEYS)[number];

/** A budget scope: `platform` (no restriction) or some of tenant, user, touchpoint, model. */
export type Scope = Partial<Record<ScopeKey, string>>;

/** The facts of a call a scope is matched against. */
export interface ScopeSubject {
  tenantId: string;
  userId: string;
  touchpoint: string;
  model: string;
}

/**
 * Parses `platform` or `tenant=acme,user=u7`. Keys may come in any order and
 * are checked: each at most once, a user only within a tenant (user ids are
 * the tenant's own), values non-empty and free of `,` and `=`.
 */
export function parseScope(text: string): Scope {
  const trimmed = text.trim();
  if (trimmed === 'platform') return {};

  const scope: Scope = {};
  for (const part of trimmed.split(',')) {
    const [key, value, extra] = part.split('=').map((piece) => piece.trim());
    if (!SCOPE_KEYS.includes(key as ScopeKey) || !value || extra !== undefined) {
      throw scopeError(text, `'${part}' is not key=value with a key of ${SCOPE_KEYS.join(', ')}`);
    }
    if (scope[key as ScopeKey] !== undefined) throw scopeError(text, `'${key}' appears twice`);
    scope[key as ScopeKey] = value;
  }

  if (scope.user !== undefined && scope.tenant === undefined) {
    throw scopeError(text, 'a user scope needs its tenant (tenant=acme,user=u7)');
  }
  return scope;
}

/** The one spelling of a scope: keys in canonical order, `platform` when empty. */
export function formatScope(scope: Scope): string {
  const parts = SCOPE_KEYS.filter((key) => scope[key] !== undefined).map(
    (key) => `${key}=${scope[key]}`,
  );
  return parts.length === 0 ? 'platform' : parts.join(',');
}

/** True when a call falls inside the scope. */
export function scopeMatches(scope: Scope, subject: ScopeSubject): boolean {
  return (
    (scope.tenant === undefined || scope.tenant === subject.tenantId) &&
    (scope.user === undefined || scope.user === subject.userId) &&
    (scope.touchpoint === undefined || scope.touchpoint === subject.touchpoint) &&
    (scope.model === undefined || scope.model === subject.model)
  );
}

/** The rollup columns each scope key restricts. */
const COLUMNS: Record<ScopeKey, string> = {
  tenant: 'tenant_id',
  user: 'user_id',
  touchpoint: 'touchpoint',
  model: 'model',
};

/**
 * The scope as a SQL condition on the rollup tables, values as bound
 * parameters (`scope_tenant` …), never spliced into the text. A query that
 * holds several scopes names each one's parameters with its own prefix.
 */
export function scopeCondition(
  scope: Scope,
  prefix = 'scope',
): { sql: string; params: Record<string, string> } {
  const keys = SCOPE_KEYS.filter((key) => scope[key] !== undefined);
  const sql = keys.map((key) => `${COLUMNS[key]} = {${prefix}_${key}:String}`).join(' AND ');
  const params = Object.fromEntries(keys.map((key) => [`${prefix}_${key}`, scope[key]!]));
  return { sql: sql || '1', params };
}

function scopeError(text: string, message: string): ValidationError {
  return new ValidationError('budget scope', [{ path: 'scope', message }], { scope: text });
}
