import type { Command } from 'commander';
import { connectKafka, openStore } from '../runtime.ts';
import { migrateStore, setUpTopics } from '../setup.ts';
import type { RuntimeFactory } from './types.ts';

export function registerSetupAll(program: Command, runtime: RuntimeFactory): void {
  program
    .command('setup')
    .description('create the missing topics and apply the missing migrations (safe to repeat)')
    .addHelpText(
      'after',
      `
What a deployment runs once before its consumers start (docker compose runs it
as a one-shot service). It needs KAFKA_BROKERS, or a running local broker.`,
    )
    .action(async (_options, command: Command) => {
      const rt = runtime(command);
      const { kafka } = await connectKafka(rt, 'llmcost-setup', { start: false, oneShot: true });
      const created = await setUpTopics(rt, kafka);
      const store = await openStore(rt);
      try {
        const applied = await migrateStore(rt, store);
        process.stdout.write(
          `topics created: ${created.length ? created.join(', ') : 'none'}\n` +
            `migrations applied: ${applied.length ? applied.join(', ') : 'none'}\n`,
        );
      } finally {
        await store.close();
      }
    });
}
