import { afterAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../conversation/message.ts';
import { inlineImageSize } from './image-size.ts';
import { imageTokens } from './image-tokens.ts';
import { TokenCounting } from './token-counting.ts';

const counting = new TokenCounting();
afterAll(() => counting.close());

/** A PNG header claiming a size, padded with `padding` bytes of pixel data. */
function png(width: number, height: number, padding: number): string {
  const header = Buffer.alloc(33);
  Buffer.from('89504e470d0a1a0a', 'hex').copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'latin1');
  header.writeUInt32BE(width, 16);
  header.writeUInt32BE(height, 20);
  const data = Buffer.concat([header, Buffer.alloc(padding, 7)]);
  return `data:image/png;base64,${data.toString('base64')}`;
}

function imageMessage(url: string, detail: 'low' | 'high'): ChatMessage {
  return { role: 'user', content: [{ type: 'image_url', image_url: { url, detail } }] };
}

describe('images are counted by size and detail, not as base64 text (case 15)', () => {
  const meter = counting.meter('gpt-4o');

  it('reads sizes from PNG, GIF and JPEG headers', () => {
    expect(inlineImageSize(png(2048, 1024, 0))).toEqual({ width: 2048, height: 1024 });
    const gif = Buffer.from('GIF89a\x40\x01\xf0\x00', 'latin1').toString('base64');
    expect(inlineImageSize(gif)).toEqual({ width: 320, height: 240 });
    const jpeg = Buffer.from([
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0,
      0x02, 0x80, 0x03,
    ]);
    expect(inlineImageSize(jpeg.toString('base64'))).toEqual({ width: 640, height: 480 });
  });

  it('charges a 2048×2048 high-detail image more than a 512×512 low-detail one', () => {
    const large = meter.message(imageMessage(png(2048, 2048, 100), 'high'));
    const small = meter.message(imageMessage(png(512, 512, 100), 'low'));
    expect(large).toBeGreaterThan(small);
    expect(imageTokens({ width: 2048, height: 2048 }, 'high', meter.profile.images)).toBe(765);
    expect(imageTokens({ width: 512, height: 512 }, 'low', meter.profile.images)).toBe(85);
  });

  it('does not count the base64 characters', () => {
    const light = meter.message(imageMessage(png(512, 512, 10), 'high'));
    const heavy = meter.message(imageMessage(png(512, 512, 300_000), 'high'));
    expect(heavy).toBe(light);
    expect(heavy).toBeLessThan(1_000);
  });

  it('counts Anthropic image blocks and marks non-OpenAI figures as estimates', () => {
    const claude = counting.meter('claude-sonnet-4-0');
    const data = png(1000, 1000, 50_000).split(',')[1]!;
    const message: ChatMessage = {
      role: 'user',
      content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data } }],
    };
    expect(claude.estimate).toBe(true);
    expect(claude.message(message)).toBeGreaterThanOrEqual(Math.ceil((1000 * 1000) / 750));
    expect(claude.message(message)).toBeLessThan(2_000);
  });
});
