import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { packageRoot } from '../lib/config.ts';
import { ConfigError, errorMessage, PipelineError } from '../lib/errors.ts';
import { registerAlerting } from './commands/alerting.ts';
import { registerApi } from './commands/api.ts';
import { registerBudgets } from './commands/budgets.ts';
import { registerCompact } from './commands/compact.ts';
import { registerCompactionWorker } from './commands/compaction-worker.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerKafka } from './commands/kafka.ts';
import { registerKeys } from './commands/keys.ts';
import { registerPrice } from './commands/price.ts';
import { registerPricing } from './commands/pricing.ts';
import { registerReplay } from './commands/replay.ts';
import { registerReprice } from './commands/reprice.ts';
import { registerSetupAll } from './commands/setup.ts';
import { registerSetup } from './commands/setup-commands.ts';
import { registerSql } from './commands/sql.ts';
import { registerUp } from './commands/up.ts';
import type { RuntimeFactory } from './commands/types.ts';
import { createRuntime } from './runtime.ts';

const { version } = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {
  version: string;
};

const program = new Command()
  .name('llmcost')
  .version(version)
  .description(
    'LLM cost pipeline: what LLM calls cost, who and what caused it, and when a ' +
      'budget is about to break',
  )
  .option(
    '--data-dir <dir>',
    'local broker, embedded store, logs and pid files ' + '(LLMCOST_DATA_DIR)',
    undefined,
  )
  .showHelpAfterError('(run with --help for usage)')
  .configureHelp({ showGlobalOptions: true })
  .addHelpText(
    'after',
    `
Start here:
  npx llmcost up                 run everything, replay the bundled traces
  npx llmcost sql "SELECT count(), sum(cost_usd) FROM llm_calls"

Configuration comes from the environment (KAFKA_BROKERS, CLICKHOUSE_URL, …);
see the README for the full list.`,
  );

const runtime: RuntimeFactory = (command) => {
  const options = command.optsWithGlobals() as {
    dataDir?: string;
    port?: number;
    partitions?: number;
  };
  return createRuntime({
    dataDir: options.dataDir,
    port: options.port,
    partitions: options.partitions,
  });
};

registerUp(program, runtime);
registerPricing(program, runtime);
registerAlerting(program, runtime);
registerBudgets(program, runtime);
registerReplay(program, runtime);
registerSql(program, runtime);
registerPrice(program, runtime);
registerReprice(program, runtime);
registerApi(program, runtime);
registerKeys(program, runtime);
registerSetup(program, runtime);
registerSetupAll(program, runtime);
registerKafka(program, runtime);
registerDoctor(program, runtime);

// Output piped into a command that exits early (`| head`) must not crash a
// running pipeline and leave its broker behind.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});
registerCompact(program, runtime);
registerCompactionWorker(program, runtime);

program.exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = report(error);
}

/** Prints a failure for a person: the message and where, without a stack for known errors. */
function report(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode;
  if (error instanceof ConfigError) {
    process.stderr.write(`llmcost: configuration: ${error.message}\n`);
    return 2;
  }
  if (error instanceof PipelineError) {
    process.stderr.write(`llmcost: ${error.message}\n`);
    if (error.cause && process.env.LOG_LEVEL === 'debug') console.error(error.cause);
    return 1;
  }
  process.stderr.write(`llmcost: unexpected error: ${errorMessage(error)}\n`);
  console.error(error);
  return 1;
}
