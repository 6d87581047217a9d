import type { Command } from 'commander';
import { alertingRoutes, startAlerting, startBase } from '../pipeline.ts';
import { ServiceHost } from '../service-host.ts';
import type { RuntimeFactory } from './types.ts';
import { portOption } from '../options.ts';

export function registerAlerting(program: Command, runtime: RuntimeFactory): void {
  program
    .command('alerting')
    .description(
      'run the alerting consumer: llm.costs.v1 → budgets, spikes → cost.alerts.v1 → channels',
    )
    .option(
      '--port <port>',
      'HTTP port: health, readiness, and the API when it owns the store',
      portOption,
    )
    .addHelpText(
      'after',
      `
Budgets come from LLMCOST_BUDGETS_FILE at start and from 'llmcost budgets';
channels from SLACK_WEBHOOK_URL, PAGERDUTY_ROUTING_KEY, ALERT_WEBHOOK_URL,
SMTP_URL (and their partners) or LLMCOST_ALERT_CHANNELS_FILE; see the README.
Runs until Ctrl-C or SIGTERM, then lets deliveries in flight finish. Several
instances share the work through the consumer groups 'llmcost-alerting' and
'llmcost-notify' when CLICKHOUSE_URL points at a server.`,
    )
    .action(async (_options, command: Command) => {
      const rt = runtime(command);
      const host = new ServiceHost(rt, 'alerting');
      const base = await host.start(async () => {
        const parts = await startBase(rt, host, 'llmcost-alerting', { stopLocalKafka: false });
        const service = await startAlerting(rt, host, parts);
        const readiness = () => ({ alerting: service.isReady() });
        if (parts.store.embedded) {
          await host.serveApi(parts.store, readiness, alertingRoutes(service, parts.store));
        } else {
          await host.serveProbes(readiness);
        }
        return parts;
      });
      rt.logger.info({ brokers: base.brokers, store: base.store.location }, 'alerting ready');

      await host.untilSignal();
      await host.shutdown();
    });
}
