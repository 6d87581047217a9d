import type { ChatMessage } from '../conversation/message.ts';
import type { PinList } from '../conversation/pins.ts';
import type { MessageMeter } from '../tokens/token-counting.ts';
import type { ToolDefinition } from '../tokens/tool-definitions.ts';
import type { ImportanceScorer } from './importance.ts';
import type { Summarizer } from './summarizer.ts';

/** The strategy names of CONTRACTS.md. */
export const PATH_STRATEGIES = ['none', 'sliding-window', 'semantic', 'hybrid'] as const;
export const MERGE_STRATEGIES = [
  'merge-none',
  'merge-minimal',
  'merge-moderate',
  'merge-aggressive',
] as const;
export const STRATEGY_NAMES = [...PATH_STRATEGIES, ...MERGE_STRATEGIES] as const;

export type PathStrategyName = (typeof PATH_STRATEGIES)[number];
export type MergeStrategyName = (typeof MERGE_STRATEGIES)[number];
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** What a strategy compacts: one conversation (a path) or two branches (a merge). */
export type CompactionInput = PathInput | MergeInput;

interface InputCommon {
  /** The most tokens the output may take, its framing and tool definitions included. */
  tokenBudget: number;
  tools?: ToolDefinition[];
  /** Pinned messages by index (into `messages`, or `main` for a merge) or by id. */
  pinned?: PinList;
  /** Strategy options, checked by the strategy (unknown ones are refused). */
  options?: Record<string, unknown>;
}

export interface PathInput extends InputCommon {
  kind: 'path';
  messages: ChatMessage[];
}

export interface MergeInput extends InputCommon {
  kind: 'merge';
  main: ChatMessage[];
  branch: ChatMessage[];
}

/** What a strategy may use besides its input. */
export interface StrategyContext {
  meter: MessageMeter;
  summarizer: Summarizer;
  scorer: ImportanceScorer;
  /** Called as work advances, for progress events on long jobs. */
  progress?: (stage: string, done: number, total: number) => void;
}

/** What a strategy returns; the worker adds identity, timing and usage. */
export interface CompactionOutcome {
  messages: ChatMessage[];
  /** False when the output is the input as it came (nothing to do). */
  compacted: boolean;
  tokensBefore: number;
  tokensAfter: number;
  /** True when the output fits the budget; otherwise `reason` says why it cannot. */
  fitsBudget: boolean;
  reason?: string;
  /** References (`id` or `#index` of the input) of messages left out without a summary. */
  dropped: string[];
  /** References of messages a summary in the output stands for. */
  summarised: string[];
  /** References of messages kept with their text cut. */
  truncated: string[];
  warnings: string[];
  /** How the work was done: nothing, local deterministic methods, or model calls. */
  method: 'none' | 'local' | 'model';
  /** True when a summary was wanted but could not be made; the output is a truncation. */
  summaryFailed: boolean;
}

/** One compaction strategy, looked up by name through the factory. */
export interface CompactionStrategy {
  readonly name: StrategyName;
  readonly kind: 'path' | 'merge';
  /** The touchpoint its model calls are recorded under. */
  readonly touchpoint: string;
  run(input: CompactionInput, context: StrategyContext): Promise<CompactionOutcome>;
}
