import type { ServerResponse } from 'node:http';

export interface EventStreamOptions {
  /** A comment line goes out this often, so that proxies keep an idle stream open. */
  heartbeatMs: number;
}

/**
 * A stream of server-sent events on one response: `event:` and one
 * `data:` line of JSON per event (JSON text holds no newline), a comment
 * as heartbeat, and a promise of the moment it ends, by either side.
 */
export class EventStream {
  readonly ended: Promise<void>;
  private readonly heartbeat: NodeJS.Timeout;
  private open = true;

  constructor(
    private readonly response: ServerResponse,
    options: EventStreamOptions,
  ) {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // A buffering proxy would hold the events back until the stream ends.
      'x-accel-buffering': 'no',
    });
    response.flushHeaders();
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), options.heartbeatMs);
    this.ended = new Promise((resolve) =>
      response.once('close', () => {
        this.open = false;
        clearInterval(this.heartbeat);
        resolve();
      }),
    );
  }

  get isOpen(): boolean {
    return this.open;
  }

  send(event: string, data: unknown): void {
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Ends the stream from this side. */
  end(): void {
    clearInterval(this.heartbeat);
    if (this.open) this.response.end();
  }

  private write(text: string): void {
    if (this.open) this.response.write(text);
  }
}
