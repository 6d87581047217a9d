import type { CallRecorder } from './call-recorder.ts';
import { ModelCallError, type ChatClient, type PromptMessage } from './chat-client.ts';
import { usageClasses } from './usage.ts';

/**
 * One completion, recorded for pricing whether it succeeds (with the usage
 * the endpoint reports) or fails (no usage, the error's code).
 */
export async function recordedCompletion(
  client: ChatClient,
  recorder: CallRecorder,
  messages: PromptMessage[],
  maxTokens: number,
): Promise<string> {
  try {
    const completion = await client.complete(messages, maxTokens);
    await recorder.record({
      model: completion.model,
      usage: usageClasses(completion.usage),
      durationMs: completion.durationMs,
      success: true,
    });
    return completion.text.trim();
  } catch (error) {
    await recorder.record({
      model: client.model,
      usage: usageClasses(undefined),
      durationMs: 0,
      success: false,
      errorType: error instanceof ModelCallError ? error.code : 'unknown',
    });
    throw error;
  }
}
