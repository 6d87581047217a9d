import type { Command } from 'commander';
import { alertingApiRoutes, storeAlertingParts } from '../../api/alerting/alerting-api.ts';
import { createCostApi } from '../../api/cost-api.ts';
import type { Route } from '../../api/router.ts';
import { startCompactionApiOn } from '../pipeline.ts';
import { connectKafka, localKafka, openStore, type Runtime } from '../runtime.ts';
import { ServiceHost } from '../service-host.ts';
import { migrateStore, setUpTopics } from '../setup.ts';
import type { RuntimeFactory } from './types.ts';
import { portOption } from '../options.ts';

/** `llmcost api`: the HTTP API and dashboard alone, without the consumers. */
export function registerApi(program: Command, runtime: RuntimeFactory): void {
  program
    .command('api')
    .description('serve the cost API and the dashboard over the ClickHouse rollups')
    .option('--port <port>', 'HTTP port (LLMCOST_PORT)', portOption)
    .option('--no-compaction', 'do not serve /api/compaction (it needs Kafka)')
    .addHelpText(
      'after',
      `
Costs, budgets, quota and alerts need only ClickHouse: no consumers run here,
and a budget changed through this process reaches the alerting consumers at
their next refresh. Compaction requests need Kafka and a compaction worker
running elsewhere: /api/compaction is served when KAFKA_BROKERS is set or the
data directory's local broker runs, unless --no-compaction.

With the embedded store it must own the data directory, so run it when no
'llmcost up' or 'llmcost pricing' holds it (those serve the API themselves);
with CLICKHOUSE_URL any number of API processes may run beside the consumers.

Dashboard: http://127.0.0.1:<port>/analytics/costs  ·  API: /api/costs/…
OpenAPI:   http://127.0.0.1:<port>/api/openapi.json`,
    )
    .action(async (options: { compaction: boolean }, command: Command) => {
      const rt = runtime(command);
      const host = new ServiceHost(rt, 'api');
      const server = await host.start(async () => {
        const store = await openStore(rt);
        host.onStop('store', () => store.close());
        await migrateStore(rt, store);

        const costs = await createCostApi(store, rt.logger);
        const alerting = alertingApiRoutes(storeAlertingParts(store.client, rt.logger));
        const compaction = options.compaction ? await compactionIfKafka(rt, host) : [];
        const routes = [...costs.routes, ...alerting, ...compaction];
        return host.serveApi(store, () => ({ store: true }), routes, costs.publicHandler);
      });
      process.stdout.write(`dashboard: ${server.url}/analytics/costs\n`);

      await host.untilSignal();
      await host.shutdown();
    });
}

/**
 * The compaction endpoints when Kafka is there to carry the requests: the
 * configured cluster, or the local broker when it runs. This command never
 * starts a broker itself.
 */
async function compactionIfKafka(rt: Runtime, host: ServiceHost): Promise<Route[]> {
  if (!rt.config.kafkaBrokers && !localKafka(rt).status().running) {
    rt.logger.info('no Kafka (KAFKA_BROKERS unset, local broker stopped): compaction not served');
    return [];
  }

  const { kafka } = await connectKafka(rt, 'llmcost-api', { start: false });
  await setUpTopics(rt, kafka);
  return (await startCompactionApiOn(rt, host, { kafka })).routes;
}
