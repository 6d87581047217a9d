import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error with the HTTP status it answers with and, for a bad input, the field. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

export function sendError(response: ServerResponse, error: HttpError): void {
  const body = { error: { code: error.code, message: error.message, field: error.field } };
  sendJson(response, error.status, body);
}

/** Reads a request body up to `limit` bytes; a larger one is refused with 413. */
export async function readBody(request: IncomingMessage, limit = 1024 * 1024): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'TOO_LARGE', `request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJson(request: IncomingMessage): Promise<unknown> {
  const text = await readBody(request);
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new HttpError(400, 'BAD_JSON', 'request body is not valid JSON');
  }
}
