import type { LlmCall } from '../../schemas/llm-call.ts';
import type { PriceRow } from './price-row.ts';

/**
 * Catalogue prices for usage that the token classes of CONTRACTS.md do not
 * carry, and the fields of `unmappedUsage` (as the producers SDK keeps them)
 * that show a call used it. A model with such a price bills that usage at
 * its own rate, so a call that used it cannot be priced at the text rates:
 * it is stored unpriced, naming what is missing, rather than billed wrong.
 * A model without such a price bills the same usage as text, which the
 * classes already count.
 */
const USAGE_OF_PRICE: Record<string, { what: string; fields: string[] }> = {
  input_image_mtok: {
    what: 'image input tokens',
    fields: [
      'modality.prompt.IMAGE',
      'prompt_tokens_details.image_tokens',
      'input_tokens_details.image_tokens',
    ],
  },
  cache_image_read_mtok: { what: 'cached image tokens', fields: ['modality.cache.IMAGE'] },
  output_image_mtok: {
    what: 'image output tokens',
    fields: ['modality.candidates.IMAGE', 'output_tokens_details.image_tokens'],
  },
  cache_audio_read_mtok: { what: 'cached audio tokens', fields: ['modality.cache.AUDIO'] },
  input_video_mtok: { what: 'video input tokens', fields: ['modality.prompt.VIDEO'] },
  output_video_mtok: { what: 'video output tokens', fields: ['modality.candidates.VIDEO'] },
  web_searches_kcount: { what: 'web searches', fields: ['server_tool_use.web_search_requests'] },
};

/** Why a call cannot be priced by its row's token prices, or undefined when it can. */
export function unmodelledUsage(call: LlmCall, row: PriceRow): string | undefined {
  for (const key of row.unmodelled ?? []) {
    const usage = USAGE_OF_PRICE[key];
    const used = usage?.fields.find((field) => Number(call.unmappedUsage[field] ?? 0) > 0);
    if (usage && used) {
      return (
        `${row.provider}/${row.model} prices ${usage.what} on their own (${key}), ` +
        `which this pipeline does not price yet (${used} = ${call.unmappedUsage[used]})`
      );
    }
  }
  return undefined;
}
