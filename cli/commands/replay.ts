import fs from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { topicNames } from '../../infra/topics.ts';
import { TOUCHPOINT_PATTERN } from '../../schemas/llm-call.ts';
import { replayTrace } from '../replay/replay-trace.ts';
import { connectKafka } from '../runtime.ts';
import { setUpTopics } from '../setup.ts';
import type { RuntimeFactory } from './types.ts';

interface ReplayFlags {
  provider: string;
  model: string;
  touchpoint: string;
  tenants: number;
  users: number;
  rebase: string;
  shiftDays: number;
}

const positive = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new InvalidArgumentError('expected a whole number ≥ 1.');
  }
  return number;
};

export function registerReplay(program: Command, runtime: RuntimeFactory): void {
  program
    .command('replay')
    .description('publish one llm-call event per row of an Azure LLM inference trace (CSV)')
    .argument(
      '<file>',
      'a CSV with TIMESTAMP,ContextTokens,GeneratedTokens, e.g. ' +
        'data/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv',
    )
    .option('--provider <id>', 'provider of every call', 'openai')
    .option('--model <name>', 'model of every call', 'gpt-4o')
    .option('--touchpoint <name>', 'touchpoint of every call', 'main-chat')
    .option('--tenants <n>', 'spread rows over n tenants', positive, 5)
    .option('--users <n>', 'spread rows over n users', positive, 20)
    .option('--rebase <mode>', 'now: shift so the trace ends now; original: keep 2023 times', 'now')
    .option('--shift-days <n>', 'move the trace this many whole days earlier', Number, 0)
    .addHelpText(
      'after',
      `
Event ids come from the file's content, the row and these options, so the same
replay twice adds nothing. With --rebase original the 2023 timestamps are older
than the raw-call retention (LLMCOST_RETENTION_DAYS, 90 days by default): the
pricing consumer sends them to llm.calls.v1.dlq with reason older-than-retention
instead of storing rows that the TTL would delete. Raise the retention to keep them.`,
    )
    .action(async (file: string, flags: ReplayFlags, command: Command) => {
      if (flags.rebase !== 'now' && flags.rebase !== 'original') {
        command.error(`--rebase must be 'now' or 'original', not '${flags.rebase}'`);
      }
      if (!TOUCHPOINT_PATTERN.test(flags.touchpoint)) {
        command.error(`--touchpoint must be name or namespace:name in lower-case kebab-case`);
      }
      if (!Number.isInteger(flags.shiftDays) || flags.shiftDays < 0) {
        command.error('--shift-days must be a whole number ≥ 0');
      }

      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
        command.error(`cannot read ${file}: no such file`);
      }

      const rt = runtime(command);
      const { kafka } = await connectKafka(rt, 'llmcost-replay', { start: false, oneShot: true });
      await setUpTopics(rt, kafka);
      const options = { ...flags, rebase: flags.rebase as 'now' | 'original' };
      const result = await replayTrace(
        kafka,
        topicNames(rt.config.topicPrefix),
        file,
        options,
        rt.logger,
      );

      process.stdout.write(
        `published ${result.events.toLocaleString('en-US')} calls from ` +
          `${new Date(result.firstAt).toISOString()} to ${new Date(result.lastAt).toISOString()} ` +
          `at ${Math.round(result.eventsPerSecond).toLocaleString('en-US')} events/s\n`,
      );
    });
}
