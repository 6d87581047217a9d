import type { Command } from 'commander';
import { GRANTS, type Grant } from '../../api/keys/api-key.ts';
import { createKeySchema } from '../../api/keys/key-routes.ts';
import { ApiKeyStore, type TenantKeyRecord } from '../../api/keys/api-key-store.ts';
import { readOwner } from '../../api/owner-file.ts';
import { PipelineError } from '../../lib/errors.ts';
import { openStore, type Runtime } from '../runtime.ts';
import { migrateStore } from '../setup.ts';
import { renderTable } from '../table.ts';
import type { RuntimeFactory } from './types.ts';

/** What `llmcost keys` does, whether through the store's owner or on the store itself. */
interface KeyAdmin {
  create(input: { tenantId: string; grants: Grant[]; label: string }): Promise<{ key: string }>;
  list(tenantId?: string): Promise<TenantKeyRecord[]>;
  revoke(keyId: string): Promise<boolean>;
}

/** `llmcost keys create|list|revoke`: tenant API keys. */
export function registerKeys(program: Command, runtime: RuntimeFactory): void {
  const keys = program
    .command('keys')
    .description('issue, list and revoke tenant API keys')
    .addHelpText(
      'after',
      `
A tenant key sees only its tenant's costs; with --grant budgets it may also
manage that tenant's budgets. Keys are stored as SHA-256 digests in ClickHouse
(table api_keys): a key is shown once, when created. Goes through the running
owner of the embedded store when there is one.`,
    );

  keys
    .command('create')
    .description('issue a key for one tenant and print it (once)')
    .requiredOption('--tenant <id>', 'the tenant the key belongs to')
    .option('--grant <what>', `extra rights: ${GRANTS.join(', ')}`, collect, [])
    .option('--label <text>', 'a note on who holds the key', '')
    .action(
      async (options: { tenant: string; grant: string[]; label: string }, command: Command) => {
        const input = createKeySchema.safeParse({
          tenantId: options.tenant,
          grants: options.grant,
          label: options.label,
        });
        if (!input.success) {
          const field = String(input.error.issues[0]?.path[0]);
          if (field === 'grants') command.error(`--grant takes ${GRANTS.join(', ')}`);
          command.error(
            `--${field === 'tenantId' ? 'tenant' : field}: ${input.error.issues[0]?.message}`,
          );
        }
        const rt = runtime(command);
        const { key } = await withKeyAdmin(rt, (admin) => admin.create(input.data));
        process.stdout.write(`${key}\n`);
        process.stderr.write(`(shown once: only its digest is kept)\n`);
      },
    );

  keys
    .command('list')
    .description('list keys (never the keys themselves)')
    .option('--tenant <id>', 'only this tenant')
    .action(async (options: { tenant?: string }, command: Command) => {
      const records = await withKeyAdmin(runtime(command), (admin) => admin.list(options.tenant));
      const rows = records.map((record) => ({ ...record, grants: record.grants.join(',') }));
      const columns = ['keyId', 'tenantId', 'grants', 'label', 'createdAt', 'revokedAt'];
      process.stdout.write(renderTable(columns, rows) + '\n');
    });

  keys
    .command('revoke')
    .description('revoke a key by its id (the part after lckt_)')
    .argument('<keyId>', 'the key id, 16 hex digits')
    .action(async (keyId: string, _options, command: Command) => {
      const revoked = await withKeyAdmin(runtime(command), (admin) => admin.revoke(keyId));
      process.stdout.write(revoked ? `revoked ${keyId}\n` : `no live key ${keyId}\n`);
      process.exitCode = revoked ? 0 : 3;
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Runs `work` through the owner's API when one runs, else on the store opened here. */
async function withKeyAdmin<T>(
  runtime: Runtime,
  work: (admin: KeyAdmin) => Promise<T>,
): Promise<T> {
  const owner = runtime.config.clickhouse.url ? undefined : readOwner(runtime.paths.ownerFile);
  if (owner) return work(ownerAdmin(owner.url, owner.token));

  const store = await openStore(runtime);
  try {
    await migrateStore(runtime, store);
    return await work(new ApiKeyStore(store.client, { logger: runtime.logger }));
  } finally {
    await store.close();
  }
}

function ownerAdmin(url: string, token: string): KeyAdmin {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown> & {
      error?: { message: string; code: string };
    };
    return { status: response.status, answer };
  };
  const fail = (status: number, answer: { error?: { message: string; code: string } }) =>
    new PipelineError(answer.error?.message ?? `HTTP ${status}`, {
      code: answer.error?.code ?? 'KEYS',
      context: { via: url },
    });

  return {
    async create(input) {
      const { status, answer } = await call('POST', '/api/keys', input);
      if (status !== 201) throw fail(status, answer);
      return { key: String(answer.key) };
    },
    async list(tenantId) {
      const query = tenantId === undefined ? '' : `?tenantId=${encodeURIComponent(tenantId)}`;
      const { status, answer } = await call('GET', `/api/keys${query}`);
      if (status !== 200) throw fail(status, answer);
      return answer.keys as TenantKeyRecord[];
    },
    async revoke(keyId) {
      const { status, answer } = await call('DELETE', `/api/keys/${encodeURIComponent(keyId)}`);
      if (status === 404) return false;
      if (status !== 200) throw fail(status, answer);
      return true;
    },
  };
}
