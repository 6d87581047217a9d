import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { packageRoot } from '../lib/config.ts';
import { ConfigError, errorMessage, PipelineError } from '../lib/errors.ts';
import { registerApi } from './commands/api.ts';
import { registerKafka } from './commands/kafka.ts';
import { registerKeys } from './commands/keys.ts';
import { registerPricing } from './commands/pricing.ts';
import { registerReplay } from './commands/replay.ts';
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
registerReplay(program, runtime);
registerSql(program, runtime);
registerApi(program, runtime);
registerKeys(program, runtime);
registerSetup(program, runtime);
registerKafka(program, runtime);

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
