import type { Command } from 'commander';
import { repriceRoute } from '../../api/reprice-route.ts';
import { startBase, startPricing, startRepricer } from '../pipeline.ts';
import { portOption } from '../options.ts';
import { ServiceHost } from '../service-host.ts';
import type { RuntimeFactory } from './types.ts';

export function registerPricing(program: Command, runtime: RuntimeFactory): void {
  program
    .command('pricing')
    .description('run the pricing consumer: llm.calls.v1 → prices → ClickHouse → llm.costs.v1')
    .option(
      '--port <port>',
      'internal API port when this process owns the embedded store',
      portOption,
    )
    .addHelpText(
      'after',
      `
Runs until Ctrl-C or SIGTERM, then finishes its batch and commits. Several
instances share the work through the consumer group 'llmcost-pricing' when
CLICKHOUSE_URL points at a server; the embedded store allows one process.`,
    )
    .action(async (_options, command: Command) => {
      const rt = runtime(command);
      const host = new ServiceHost(rt, 'pricing');
      const base = await host.start(async () => {
        const parts = await startBase(rt, host, 'llmcost-pricing', { stopLocalKafka: false });
        const consumer = await startPricing(rt, host, parts);
        const readiness = () => ({ kafka: consumer.isReady() });
        if (parts.store.embedded) {
          const repricer = await startRepricer(rt, host, parts);
          await host.serveApi(parts.store, readiness, [repriceRoute(repricer)]);
        } else {
          await host.serveProbes(readiness);
        }
        return parts;
      });
      rt.logger.info({ brokers: base.brokers, store: base.store.location }, 'pricing ready');

      await host.untilSignal();
      await host.shutdown();
    });
}
