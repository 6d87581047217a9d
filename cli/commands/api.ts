import type { Command } from 'commander';
import { createCostApi } from '../../api/cost-api.ts';
import { openStore } from '../runtime.ts';
import { ServiceHost } from '../service-host.ts';
import { migrateStore } from '../setup.ts';
import type { RuntimeFactory } from './types.ts';
import { portOption } from '../options.ts';

/** `llmcost api`: the cost API and dashboard alone. */
export function registerApi(program: Command, runtime: RuntimeFactory): void {
  program
    .command('api')
    .description('serve the cost API and the dashboard over the ClickHouse rollups')
    .option('--port <port>', 'HTTP port (LLMCOST_PORT)', portOption)
    .addHelpText(
      'after',
      `
Needs only ClickHouse: no Kafka, no consumers. With the embedded store it must
own the data directory, so run it when no 'llmcost up' or 'llmcost pricing'
holds it (those serve the same API themselves); with CLICKHOUSE_URL any number
of API processes may run beside the consumers.

Dashboard: http://127.0.0.1:<port>/analytics/costs  ·  API: /api/costs/…
OpenAPI:   http://127.0.0.1:<port>/api/openapi.json`,
    )
    .action(async (_options, command: Command) => {
      const rt = runtime(command);
      const host = new ServiceHost(rt, 'api');
      const server = await host.start(async () => {
        const store = await openStore(rt);
        host.onStop('store', () => store.close());
        await migrateStore(rt, store);
        const costs = await createCostApi(store, rt.logger);
        return host.serveApi(store, () => ({ store: true }), costs.routes, costs.publicHandler);
      });
      process.stdout.write(`dashboard: ${server.url}/analytics/costs\n`);

      await host.untilSignal();
      await host.shutdown();
    });
}
