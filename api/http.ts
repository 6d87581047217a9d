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

/** What a JSON body may hold at most, and what to tell a client that sends more. */
export interface BodyLimit {
  /** @default 1 MiB */
  bytes?: number;
  /** Added to the 413 message: what to do instead. */
  hint?: string;
}

/**
 * Reads a request body up to a limit; a larger one is refused with 413, at
 * once when its Content-Length says so, else as soon as it passes the limit.
 */
export async function readBody(request: IncomingMessage, limit: BodyLimit = {}): Promise<string> {
  const bytes = limit.bytes ?? 1024 * 1024;
  if (Number(request.headers['content-length']) > bytes) throw tooLarge(bytes, limit.hint);

  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > bytes) throw tooLarge(bytes, limit.hint);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJson(request: IncomingMessage, limit?: BodyLimit): Promise<unknown> {
  const text = await readBody(request, limit);
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new HttpError(400, 'BAD_JSON', 'request body is not valid JSON');
  }
}

function tooLarge(bytes: number, hint: string | undefined): HttpError {
  const size = bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MiB` : `${bytes} bytes`;
  const message = `request body over ${size}` + (hint ? `; ${hint}` : '');
  return new HttpError(413, 'TOO_LARGE', message);
}
