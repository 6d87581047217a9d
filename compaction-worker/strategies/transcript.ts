import { isToolResult, messageText, type ChatMessage } from '../conversation/message.ts';

/** Who speaks in a transcript line: the role, or the tool that answered. */
export function speaker(message: ChatMessage): string {
  if (isToolResult(message)) return `tool ${message.name ?? 'result'}`;
  if (message.role === 'assistant' && (message.tool_calls?.length || message.function_call)) {
    return 'assistant (tool call)';
  }
  return message.role;
}

/** A message as one line of plain text: `speaker: text`, whitespace collapsed. */
export function transcriptLine(message: ChatMessage, maxChars = Infinity): string {
  const text = messageText(message).replace(/\s+/g, ' ').trim();
  const chars = [...text];
  const shown = chars.length > maxChars ? `${chars.slice(0, maxChars).join('')}…` : text;
  return `${speaker(message)}: ${shown}`;
}

/** Sentences of a text, for extractive summaries. */
export function sentences(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?。！？])\s+/)
    .map((sentence) => sentence.trim())
    .filter(Boolean);
}
