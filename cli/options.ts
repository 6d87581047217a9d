import net from 'node:net';
import { InvalidArgumentError } from 'commander';
import { PipelineError } from '../lib/errors.ts';

/** Parses `--port`: a whole number from 0 (any free port) to 65535. */
export function portOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  }
  return port;
}

/**
 * Fails at once when the API port is taken, before the broker and the store
 * are started, so that a busy port costs the user a second, not a minute.
 */
export async function ensurePortFree(port: number): Promise<void> {
  if (port === 0) return;
  const free = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  if (!free) {
    throw new PipelineError(
      `port ${port} on 127.0.0.1 is in use; pass --port or set ` + 'LLMCOST_PORT',
      { code: 'PORT_IN_USE', context: { port } },
    );
  }
}
