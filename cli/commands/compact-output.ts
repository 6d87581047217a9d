import { messageText } from '../../compaction-worker/conversation/message.ts';
import { isSummary } from '../../compaction-worker/conversation/summary-mark.ts';
import type { CompactionResult } from '../../compaction-worker/worker/request.ts';

const number = (value: number) => value.toLocaleString('en-US');

/** A compaction result for a person: the figures, then the messages one line each. */
export function renderResult(result: CompactionResult): string {
  if (result.status === 'failed') return `compaction failed: ${result.error}\n`;

  const counts = result.tokensEstimated ? 'estimated counts' : 'exact counts';
  const saved = `${(result.reduction * 100).toFixed(1)}% saved`;
  const fit = result.fitsBudget ? 'fits' : `does not fit: ${result.reason}`;
  const lines = [
    `strategy ${result.strategy} · model ${result.model} (${counts}) · method ${result.method}` +
      (result.compacted ? '' : ' · nothing removed'),
    `tokens ${number(result.tokensBefore)} → ${number(result.tokensAfter)} of ` +
      `${number(result.tokenBudget)} (${saved}) · ${fit}`,
    `messages kept ${result.messages.filter((m) => !isSummary(m)).length} · dropped ` +
      `${result.dropped.length} · summarised ${result.summarised.length} · truncated ` +
      `${result.truncated.length}` +
      (result.modelCalls > 0
        ? ` · ${result.modelCalls} model calls (${number(result.modelInputTokens)} in, ` +
          `${number(result.modelOutputTokens)} out)`
        : ''),
    ...(result.summaryFailed ? ['summary failed: the older messages were dropped instead'] : []),
    ...result.warnings.map((warning) => `warning: ${warning}`),
    '',
    ...result.messages.map((message, index) => {
      const role = isSummary(message) ? 'summary' : message.role;
      const text = messageText(message).replace(/\s+/g, ' ').trim();
      const shown = text.length > 96 ? `${text.slice(0, 95)}…` : text;
      return `  ${String(index).padStart(3)} ${role.padEnd(9)} ${shown}`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
