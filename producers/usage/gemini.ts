import { emptyUsage, serviceTierOf, UsageReader, type MappedUsage } from './usage-reader.ts';

const DETAIL_LISTS = [
  ['promptTokensDetails', 'prompt'],
  ['cacheTokensDetails', 'cache'],
  ['candidatesTokensDetails', 'candidates'],
  ['toolUsePromptTokensDetails', 'toolUsePrompt'],
] as const;

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

  // The details' other modalities are parts of the counts above. Their sums
  // are kept (`modality.candidates.IMAGE` …): a model that prices images,
  // video or cached audio on their own cannot be priced at text rates.
  const kept: Record<string, string> = {};
  for (const [list, name] of DETAIL_LISTS) {
    for (let i = 0; reader.has(`${list}.${i}.modality`); i++) {
      const modality = reader.text(`${list}.${i}.modality`) ?? 'UNKNOWN';
      const count = reader.count(`${list}.${i}.tokenCount`);
      if (modality === 'TEXT' || count === 0) continue;
      const key = `modality.${name}.${modality}`;
      kept[key] = String(Number(kept[key] ?? 0) + count);
    }
  }
  reader.ignore('totalTokenCount');
  const serviceTier = serviceTierOf(reader.text('serviceTier'));
  return { usage, unmapped: { ...reader.unmapped(), ...kept }, serviceTier };
}
