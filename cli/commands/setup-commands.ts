import type { Command } from 'commander';
import { connectKafka, openStore } from '../runtime.ts';
import { migrateStore, setUpTopics } from '../setup.ts';
import type { RuntimeFactory } from './types.ts';

export function registerSetup(program: Command, runtime: RuntimeFactory): void {
  program
    .command('migrate')
    .description('apply the ClickHouse migrations not applied yet (safe to repeat)')
    .action(async (_options, command: Command) => {
      const rt = runtime(command);
      const store = await openStore(rt);
      try {
        const applied = await migrateStore(rt, store);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'up to date\n');
      } finally {
        await store.close();
      }
    });

  program
    .command('topics')
    .description('create the Kafka topics that do not exist yet (safe to repeat)')
    .option('--partitions <n>', 'partitions per new topic (LLMCOST_PARTITIONS)', Number)
    .action(async (_options, command: Command) => {
      const rt = runtime(command);
      const { kafka } = await connectKafka(rt, 'llmcost-topics', { start: false, oneShot: true });
      const created = await setUpTopics(rt, kafka);
      process.stdout.write(created.length ? `created: ${created.join(', ')}\n` : 'all present\n');
    });
}
