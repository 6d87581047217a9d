import type { Command } from 'commander';
import { repriceRequest } from '../../api/reprice-route.ts';
import { createPriceBook } from '../../consumers/pricing/create-price-book.ts';
import { LlmCallsSink } from '../../consumers/pricing/llm-calls-sink.ts';
import { PricedCallPublisher } from '../../consumers/pricing/priced-call-publisher.ts';
import { Repricer, type RepriceResult } from '../../consumers/pricing/repricer.ts';
import { topicNames } from '../../infra/topics.ts';
import { ValidationError } from '../../lib/errors.ts';
import { SchemaRegistry } from '../../schemas/registry.ts';
import { postToOwner, storeOwner } from '../owner-client.ts';
import { connectKafka, openStore, type Runtime } from '../runtime.ts';
import type { RuntimeFactory } from './types.ts';

interface RepriceFlags {
  from: string;
  to: string;
  tenant?: string;
  dryRun?: boolean;
  format: string;
}

export function registerReprice(program: Command, runtime: RuntimeFactory): void {
  program
    .command('reprice')
    .description('price stored calls again and record the differences as corrections')
    .requiredOption('--from <date>', 'first UTC day, YYYY-MM-DD (inclusive)')
    .requiredOption('--to <date>', 'last UTC day, YYYY-MM-DD (exclusive)')
    .option('--tenant <id>', 'only this tenant')
    .option('--dry-run', 'say what would change, change nothing')
    .option('--format <format>', 'table or json', 'table')
    .addHelpText(
      'after',
      `
Unpriced calls whose model has a price now, and calls whose price changed
(an edited prices file, a newer catalogue), get a correction row in llm_calls
with the difference of each cost (never an update), and a correction event on
llm.costs.v1. Running it again with the same prices adds nothing.

Example, after adding a price for a self-hosted model to LLMCOST_PRICES_FILE:
  llmcost reprice --from 2026-11-01 --to 2026-12-01 --dry-run
  llmcost reprice --from 2026-11-01 --to 2026-12-01`,
    )
    .action(async (flags: RepriceFlags, command: Command) => {
      const parsed = repriceRequest.safeParse({
        from: flags.from,
        to: flags.to,
        tenantId: flags.tenant,
        dryRun: flags.dryRun ?? false,
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ValidationError('reprice options', [
          { path: `--${String(issue?.path[0])}`, message: issue?.message ?? 'invalid' },
        ]);
      }
      const rt = runtime(command);
      const owner = storeOwner(rt);
      const result = owner
        ? await postToOwner<RepriceResult>(owner, '/api/reprice', {
            from: flags.from,
            to: flags.to,
            tenantId: flags.tenant,
            dryRun: flags.dryRun ?? false,
          })
        : await repriceHere(rt, parsed.data);

      if (flags.format === 'json') {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      const verb = result.dryRun ? 'would write' : 'wrote';
      process.stdout.write(
        `examined ${result.examined} calls; ${verb} ${result.corrections} corrections ` +
          `(${result.newlyPriced} newly priced), total change ${result.changeUsd} USD\n`,
      );
    });
}

/** Runs the repricer in this process: no other process owns the store. */
async function repriceHere(
  rt: Runtime,
  request: { from: number; to: number; tenantId?: string; dryRun: boolean },
): Promise<RepriceResult> {
  const store = await openStore(rt);
  const { kafka } = await connectKafka(rt, 'llmcost-reprice', { start: false, oneShot: true });
  const publisher = new PricedCallPublisher(
    kafka,
    new SchemaRegistry(),
    topicNames(rt.config.topicPrefix).costs,
  );
  await publisher.connect();
  try {
    const repricer = new Repricer({
      client: store.client,
      book: () => createPriceBook(rt.config.pricesFile, rt.logger, rt.config.modelAliasesFile),
      sink: new LlmCallsSink(store.client),
      publish: (corrections) => publisher.publish(corrections),
      logger: rt.logger.child({ component: 'reprice' }),
    });
    return await repricer.run(request);
  } finally {
    await publisher.disconnect();
    await store.close();
  }
}
