import type { Command } from 'commander';
import { startCompactionWorker } from '../pipeline.ts';
import { connectKafka } from '../runtime.ts';
import { ServiceHost } from '../service-host.ts';
import { setUpTopics } from '../setup.ts';
import type { RuntimeFactory } from './types.ts';
import { portOption } from '../options.ts';

export function registerCompactionWorker(program: Command, runtime: RuntimeFactory): void {
  program
    .command('compaction-worker')
    .description(
      'run the compaction worker: compaction.requests.v1 → strategies → compaction.results.v1',
    )
    .option('--port <port>', 'HTTP port for health and readiness (LLMCOST_PORT)', portOption)
    .addHelpText(
      'after',
      `
Runs until Ctrl-C or SIGTERM, then finishes its batch and commits. Several
instances share the work through the consumer group 'llmcost-compaction'.
With COMPACTION_LLM_URL and COMPACTION_LLM_MODEL set, model-backed strategies
call that OpenAI-compatible endpoint and each call is published to
llm.calls.v1; without them they use local deterministic methods.`,
    )
    .action(async (_options, command: Command) => {
      const rt = runtime(command);
      const host = new ServiceHost(rt, 'compaction-worker');
      await host.start(async () => {
        const { kafka } = await connectKafka(rt, 'llmcost-compaction', { start: true });
        await setUpTopics(rt, kafka);
        const worker = await startCompactionWorker(rt, host, { kafka });
        await host.serveProbes(() => ({ compaction: worker.isReady() }));
        return worker;
      });
      rt.logger.info('compaction worker ready');

      await host.untilSignal();
      await host.shutdown();
    });
}
