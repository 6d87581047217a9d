import type { ContentBlock } from '../conversation/message.ts';
import { inlineImageSize, type ImageSize } from './image-size.ts';
import type { ImagePricing } from './model-profile.ts';

export type ImageDetail = 'low' | 'high' | 'auto';

/** An image of unknown size is billed as the largest one a request can carry. */
const UNKNOWN_SIZE: ImageSize = { width: 2048, height: 2048 };

/** The image of a content block, or undefined when the block is not an image. */
export function imageOf(block: ContentBlock): { size: ImageSize; detail: ImageDetail } | undefined {
  if (block.type === 'image_url' && block.image_url) {
    const size = knownSize(block) ?? inlineImageSize(block.image_url.url);
    return { size: size ?? UNKNOWN_SIZE, detail: block.image_url.detail ?? 'auto' };
  }
  if (block.type === 'image' && block.source) {
    const size =
      knownSize(block) ?? (block.source.data ? inlineImageSize(block.source.data) : undefined);
    return { size: size ?? UNKNOWN_SIZE, detail: 'auto' };
  }
  return undefined;
}

/**
 * Tokens an image costs by its size and detail, never by its base64 length.
 * Tiles (OpenAI): low detail is the base cost; otherwise the image is scaled
 * to fit 2048×2048, then its short side to 768, and each 512-pixel tile adds
 * its cost. Area (Anthropic): pixels / 750 after fitting the long side.
 */
export function imageTokens(size: ImageSize, detail: ImageDetail, pricing: ImagePricing): number {
  if (pricing.kind === 'flat') return pricing.tokens;
  if (pricing.kind === 'area') {
    const scale = Math.min(1, pricing.maxSide / Math.max(size.width, size.height));
    return Math.ceil((size.width * scale * (size.height * scale)) / pricing.pixelsPerToken);
  }
  if (detail === 'low') return pricing.base;

  const fit = Math.min(1, 2048 / Math.max(size.width, size.height));
  let width = size.width * fit;
  let height = size.height * fit;
  const shortSide = Math.min(width, height);
  if (shortSide > 768) {
    width = (width * 768) / shortSide;
    height = (height * 768) / shortSide;
  }
  const tiles = Math.ceil(width / 512) * Math.ceil(height / 512);
  return pricing.base + tiles * pricing.perTile;
}

function knownSize(block: ContentBlock): ImageSize | undefined {
  return block.width && block.height ? { width: block.width, height: block.height } : undefined;
}
