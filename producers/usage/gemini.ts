import { emptyUsage, serviceTierOf, UsageReader, type MappedUsage } from './usage-reader.ts';

/**
 * Google Gemini `usageMetadata`. `promptTokenCount` includes cached content;
 * `thoughtsTokenCount` is apart from `candidatesTokenCount`; tool-use prompt
 * tokens are billed as input. Audio is taken out of the text classes by the
 * per-modality details, cached audio staying a cache read.
 */
export function usageFromGemini(source: unknown): MappedUsage {
  const reader = new UsageReader('Gemini usageMetadata', source);
  const usage = emptyUsage();

  usage.cacheReadTokens = reader.count('cachedContentTokenCount');
  const promptAudio = reader.modality('promptTokensDetails', 'AUDIO');
  const cachedAudio = reader.modality('cacheTokensDetails', 'AUDIO');
  usage.audioInputTokens = reader.remainder(promptAudio, cachedAudio, 'promptTokensDetails');
  const prompt = reader.count('promptTokenCount') + reader.count('toolUsePromptTokenCount');
  usage.inputTokens = reader.remainder(
    prompt,
    usage.cacheReadTokens + usage.audioInputTokens,
    'promptTokenCount',
  );

  usage.audioOutputTokens = reader.modality('candidatesTokensDetails', 'AUDIO');
  usage.outputTokens = reader.remainder(
    reader.count('candidatesTokenCount'),
    usage.audioOutputTokens,
    'candidatesTokenCount',
  );
  usage.reasoningTokens = reader.count('thoughtsTokenCount');

  // The other modalities of the details are parts of the counts above.
  for (const list of [
    'promptTokensDetails',
    'cacheTokensDetails',
    'candidatesTokensDetails',
    'toolUsePromptTokensDetails',
  ]) {
    for (let i = 0; reader.has(`${list}.${i}.modality`); i++) {
      reader.ignore(`${list}.${i}.modality`, `${list}.${i}.tokenCount`);
    }
  }
  reader.ignore('totalTokenCount');
  const serviceTier = serviceTierOf(reader.text('serviceTier'));
  return { usage, unmapped: reader.unmapped(), serviceTier };
}
