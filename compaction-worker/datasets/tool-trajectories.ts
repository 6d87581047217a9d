import fs from 'node:fs';
import type { ChatMessage, ContentBlock } from '../conversation/message.ts';
import type { ToolDefinition } from '../tokens/tool-definitions.ts';
import type { RealConversation } from './real-conversation.ts';

/** tau-bench airline trajectories: already OpenAI messages with `tool_calls` and ids. */
export function loadTauBench(file: string): RealConversation[] {
  const records = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    task_id: number;
    traj: ChatMessage[];
  }[];
  return records.map((record) => ({
    source: 'tau-bench',
    id: `task-${record.task_id}`,
    messages: record.traj,
  }));
}

interface GlaiveRecord {
  conversations: { from: 'human' | 'gpt' | 'function_call' | 'observation'; value: string }[];
  tools: string;
}

/**
 * Glaive function-calling conversations: a call is answered by the
 * observation right after it, with no ids, so calls become legacy
 * `function_call` messages and observations `function` messages: the
 * positional pairing.
 */
export function loadGlaive(file: string): RealConversation[] {
  const records = JSON.parse(fs.readFileSync(file, 'utf8')) as GlaiveRecord[];
  return records.map((record, index) => {
    const tools = (JSON.parse(record.tools) as ToolDefinition['function'][]).map((fn) => ({
      type: 'function',
      function: fn,
    }));
    let lastCall = 'function';
    const messages = record.conversations.map((turn): ChatMessage => {
      if (turn.from === 'human') return { role: 'user', content: turn.value };
      if (turn.from === 'gpt') return { role: 'assistant', content: turn.value };
      if (turn.from === 'observation')
        return { role: 'function', name: lastCall, content: turn.value };
      const call = JSON.parse(turn.value) as { name: string; arguments: unknown };
      lastCall = call.name;
      return {
        role: 'assistant',
        content: null,
        function_call: { name: call.name, arguments: JSON.stringify(call.arguments) },
      };
    });
    return { source: 'glaive', id: `glaive-${index}`, messages, tools: tools as ToolDefinition[] };
  });
}

interface RecordedExchange {
  body: { messages: ChatMessage[]; tools?: ToolDefinition[] };
  response: { content: ContentBlock[] };
}

/**
 * The Anthropic tool-runner recording: each request's messages (tool_use and
 * tool_result blocks) followed by the assistant's recorded answer.
 */
export function loadAnthropicRecording(file: string): RealConversation[] {
  const exchanges = JSON.parse(fs.readFileSync(file, 'utf8')) as RecordedExchange[];
  return exchanges.map((exchange, index) => ({
    source: 'anthropic-recording',
    id: `exchange-${index}`,
    messages: [
      ...exchange.body.messages,
      { role: 'assistant', content: exchange.response.content },
    ],
    tools: exchange.body.tools,
  }));
}
