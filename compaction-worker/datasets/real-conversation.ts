import type { ChatMessage } from '../conversation/message.ts';
import type { ToolDefinition } from '../tokens/tool-definitions.ts';

/** A conversation from one of the public data sets in data/, in OpenAI chat form. */
export interface RealConversation {
  /** The data set: mt-bench-101, oasst, tau-bench, glaive, anthropic-recording. */
  source: string;
  id: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
}

/** Two branches of one conversation that share a beginning, for the merge strategies. */
export interface RealBranches {
  source: string;
  id: string;
  main: ChatMessage[];
  branch: ChatMessage[];
}
