import crypto from 'node:crypto';
import type { Command } from 'commander';
import { readConversationFile } from '../../compaction-worker/input-file.ts';
import { STRATEGY_NAMES } from '../../compaction-worker/strategies/types.ts';
import { TokenCounting } from '../../compaction-worker/tokens/token-counting.ts';
import { compactThroughTopics } from '../../compaction-worker/worker/compaction-client.ts';
import {
  parseCompactionRequest,
  type CompactionResult,
} from '../../compaction-worker/worker/request.ts';
import { runCompaction } from '../../compaction-worker/worker/run-compaction.ts';
import { topicNames } from '../../infra/topics.ts';
import { connectKafka } from '../runtime.ts';
import { setUpTopics } from '../setup.ts';
import { renderResult } from './compact-output.ts';
import type { RuntimeFactory } from './types.ts';

interface CompactFlags {
  strategy: string;
  budget: number;
  model: string;
  options: string;
  tenant: string;
  local: boolean;
  format: 'text' | 'json';
  timeout: number;
}

const wholeNumber = (name: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw new Error(`${name} must be a whole number ≥ 0`);
  return number;
};

export function registerCompact(program: Command, runtime: RuntimeFactory): void {
  program
    .command('compact')
    .description('compact one conversation (or merge two branches) and print the result')
    .argument(
      '<file>',
      'JSON: an array of chat messages, {messages, tools?, pinned?} or {main, branch}',
    )
    .requiredOption('--strategy <name>', `one of ${STRATEGY_NAMES.join(', ')}`)
    .requiredOption(
      '--budget <tokens>',
      'the most tokens the result may take',
      wholeNumber('--budget'),
    )
    .option(
      '--model <name>',
      'the model the conversation is for (decides token counting)',
      'gpt-4o',
    )
    .option(
      '--options <json>',
      'strategy options, e.g. \'{"keepLast": 6, "summarise": true}\'',
      '{}',
    )
    .option('--tenant <id>', 'tenant the model calls of this compaction are charged to', 'cli')
    .option(
      '--local',
      'run in this process instead of through the topics (local methods only)',
      false,
    )
    .option('--format <format>', 'text or json (the whole result object)', 'text')
    .option('--timeout <seconds>', 'how long to wait for the worker', wholeNumber('--timeout'), 120)
    .addHelpText(
      'after',
      `
Through the topics (the default) the request goes to compaction.requests.v1 and
a running worker (llmcost up, or llmcost compaction-worker) answers on
compaction.results.v1; model-backed strategies then use COMPACTION_LLM_URL when
it is set, and their model calls are priced like any other. --local compacts in
this process with the deterministic local methods and needs no Kafka: a process
that cannot record the cost of model calls makes none.`,
    )
    .action(async (file: string, flags: CompactFlags, command: Command) => {
      if (flags.format !== 'text' && flags.format !== 'json') {
        command.error(`--format must be text or json, not '${flags.format}'`);
      }
      const request = parseCompactionRequest({
        requestId: crypto.randomUUID(),
        conversationId: `cli-${crypto.randomUUID()}`,
        tenantId: flags.tenant,
        strategy: flags.strategy,
        options: parseOptions(flags.options, command),
        tokenBudget: flags.budget,
        model: flags.model,
        ...readConversationFile(file),
      });

      const rt = runtime(command);
      const result = flags.local
        ? await compactHere(request)
        : await compactRemotely(rt, request, flags.timeout * 1000);
      process.stdout.write(
        flags.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : renderResult(result),
      );
      if (result.status === 'failed') process.exitCode = 1;
    });
}

function parseOptions(text: string, command: Command): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // Reported below with the flag's name, like any other malformed value.
  }
  return command.error(`--options must be a JSON object, not '${text}'`);
}

async function compactHere(
  request: ReturnType<typeof parseCompactionRequest>,
): Promise<CompactionResult> {
  const counting = new TokenCounting();
  try {
    return await runCompaction(request, {
      counting,
      calls: { record: async () => undefined },
    });
  } finally {
    counting.close();
  }
}

async function compactRemotely(
  rt: ReturnType<RuntimeFactory>,
  request: ReturnType<typeof parseCompactionRequest>,
  timeoutMs: number,
): Promise<CompactionResult> {
  const { kafka } = await connectKafka(rt, 'llmcost-compact', { start: false });
  await setUpTopics(rt, kafka);
  return compactThroughTopics(kafka, topicNames(rt.config.topicPrefix), request, { timeoutMs });
}
