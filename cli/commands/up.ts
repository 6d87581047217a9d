import type { Command } from 'commander';
import { createCostApi } from '../../api/cost-api.ts';
import { topicNames } from '../../infra/topics.ts';
import { runDemo } from '../demo.ts';
import { repriceRoute } from '../../api/reprice-route.ts';
import {
  alertingRoutes,
  startAlerting,
  startBase,
  startCompactionWorker,
  startPricing,
  startCompactionApiOn,
  startRepricer,
} from '../pipeline.ts';
import { ensurePortFree, portOption } from '../options.ts';
import { ServiceHost } from '../service-host.ts';
import type { RuntimeFactory } from './types.ts';

export function registerUp(program: Command, runtime: RuntimeFactory): void {
  program
    .command('up')
    .description('run the whole pipeline in one process, with the demo replay')
    .option('--port <port>', 'HTTP port on 127.0.0.1 (LLMCOST_PORT)', portOption)
    .option('--no-demo', 'do not replay the bundled traces')
    .addHelpText(
      'after',
      `
Starts (or reuses) the local Kafka broker unless KAFKA_BROKERS is set, creates
the topics, migrates ClickHouse (embedded in <data dir>/clickhouse unless
CLICKHOUSE_URL is set), and runs the pricing and alerting consumers, the
compaction worker and the HTTP API. Unless --no-demo, it then replays both
bundled Azure traces and prints what they cost. Ctrl-C stops everything
cleanly, the broker too if this command started it.`,
    )
    .action(async (options: { demo: boolean }, command: Command) => {
      const started = Date.now();
      const rt = runtime(command);
      const host = new ServiceHost(rt, 'up');
      const topics = topicNames(rt.config.topicPrefix);
      await ensurePortFree(rt.config.port);

      const { base, api } = await host.start(async () => {
        const parts = await startBase(rt, host, 'llmcost-up', { stopLocalKafka: true });
        const pricing = await startPricing(rt, host, parts);
        const alerting = await startAlerting(rt, host, parts);
        const compaction = await startCompactionWorker(rt, host, parts);
        const repricer = await startRepricer(rt, host, parts);
        const compactionApi = await startCompactionApiOn(rt, host, parts);
        const costs = await createCostApi(parts.store, rt.logger);
        const readiness = () => ({
          pricing: pricing.isReady(),
          alerting: alerting.isReady(),
          compaction: compaction.isReady(),
        });
        const routes = [
          ...costs.routes,
          repriceRoute(repricer),
          ...alertingRoutes(alerting, parts.store),
          ...compactionApi.routes,
        ];
        const server = await host.serveApi(parts.store, readiness, routes, costs.publicHandler);
        return { base: parts, api: server };
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `llm-cost-pipeline is up (${seconds} s): Kafka ${base.brokers.join(',')}, ` +
          `ClickHouse ${base.store.location}, API ${api.url}\n`,
      );

      if (options.demo) {
        await runDemo(
          rt,
          base.kafka,
          base.store,
          topics,
          `${rt.config.topicPrefix}llmcost-pricing`,
        );
        process.stdout.write(
          'Try: npx llmcost sql "SELECT count(), sum(cost_usd) FROM llm_calls"\n' +
            `Dashboard: ${api.url}/analytics/costs\n`,
        );
      }
      process.stdout.write('Running; Ctrl-C stops it.\n');

      await host.untilSignal();
      process.stdout.write('stopping…\n');
      await host.shutdown();
      process.stdout.write(
        'stopped' + (base.startedLocalKafka ? ' (the Kafka broker too)' : '') + '\n',
      );
    });
}
