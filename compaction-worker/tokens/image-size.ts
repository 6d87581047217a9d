/** Width and height in pixels. */
export interface ImageSize {
  width: number;
  height: number;
}

/**
 * Reads the size of an inline image from the first bytes of its data: PNG,
 * GIF, JPEG and WebP headers. Returns undefined for a remote URL or a format
 * it does not know; the caller then assumes the most expensive size.
 */
export function inlineImageSize(dataUrlOrBase64: string): ImageSize | undefined {
  const base64 = dataUrlOrBase64.startsWith('data:')
    ? dataUrlOrBase64.slice(dataUrlOrBase64.indexOf(',') + 1)
    : dataUrlOrBase64;
  // The headers sit near the start, but a JPEG may carry EXIF data before its frame header.
  const head = Buffer.from(base64.slice(0, 256 * 1024), 'base64');
  return pngSize(head) ?? gifSize(head) ?? webpSize(head) ?? jpegSize(head);
}

function pngSize(data: Buffer): ImageSize | undefined {
  const signature = '89504e470d0a1a0a';
  if (data.length < 24 || data.subarray(0, 8).toString('hex') !== signature) return undefined;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

function gifSize(data: Buffer): ImageSize | undefined {
  if (data.length < 10 || data.subarray(0, 3).toString('latin1') !== 'GIF') return undefined;
  return { width: data.readUInt16LE(6), height: data.readUInt16LE(8) };
}

function webpSize(data: Buffer): ImageSize | undefined {
  if (data.length < 30 || data.subarray(8, 12).toString('latin1') !== 'WEBP') return undefined;
  const chunk = data.subarray(12, 16).toString('latin1');
  if (chunk === 'VP8X') {
    return { width: 1 + data.readUIntLE(24, 3), height: 1 + data.readUIntLE(27, 3) };
  }
  if (chunk === 'VP8L') {
    const bits = data.readUInt32LE(21);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ') {
    return { width: data.readUInt16LE(26) & 0x3fff, height: data.readUInt16LE(28) & 0x3fff };
  }
  return undefined;
}

function jpegSize(data: Buffer): ImageSize | undefined {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return undefined;
  let offset = 2;
  while (offset + 9 < data.length) {
    if (data[offset] !== 0xff) return undefined;
    const marker = data[offset + 1]!;
    const length = data.readUInt16BE(offset + 2);
    // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) {
      return { height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return undefined;
}
