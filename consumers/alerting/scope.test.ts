import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors.ts';
import { formatScope, parseScope, scopeCondition, scopeMatches } from './scope.ts';

const call = { tenantId: 'acme', userId: 'u7', touchpoint: 'main-chat', model: 'gpt-4o' };

describe('budget scopes', () => {
  it('spells every scope one way, whatever the order it was written in', () => {
    expect(formatScope(parseScope('user=u7, tenant=acme'))).toBe('tenant=acme,user=u7');
    expect(formatScope(parseScope('platform'))).toBe('platform');
  });

  it('refuses unknown keys, repeats, and a user without its tenant', () => {
    for (const text of ['team=x', 'tenant=a,tenant=b', 'user=u7', 'tenant=', 'tenant=a=b']) {
      expect(() => parseScope(text)).toThrow(ValidationError);
    }
  });

  it('matches calls by every key it names', () => {
    expect(scopeMatches(parseScope('platform'), call)).toBe(true);
    expect(scopeMatches(parseScope('tenant=acme,touchpoint=main-chat'), call)).toBe(true);
    expect(scopeMatches(parseScope('tenant=acme,user=u8'), call)).toBe(false);
    expect(scopeMatches(parseScope('model=gpt-4.1'), call)).toBe(false);
  });

  it('binds values as parameters instead of writing them into the SQL', () => {
    const condition = scopeCondition(parseScope("tenant=x' OR '1'<>'"));
    expect(condition.sql).toBe('tenant_id = {scope_tenant:String}');
    expect(condition.params).toEqual({ scope_tenant: "x' OR '1'<>'" });
  });
});
