import net from 'node:net';
import type { ISocketFactory } from 'kafkajs';

/**
 * A kafkajs socket factory whose connections can all be cut at once, and
 * which then refuses new ones: a consumer in this process that loses its
 * network without leaving its group, as a crashed or partitioned host would.
 */
export class CuttableSockets {
  private readonly open = new Set<net.Socket>();
  private cut = false;

  readonly factory: ISocketFactory = ({ host, port, onConnect }) => {
    if (this.cut) {
      const socket = new net.Socket();
      setImmediate(() => socket.destroy(new Error('network cut')));
      return socket;
    }
    const socket = net.connect({ host, port }, onConnect);
    this.open.add(socket);
    socket.on('close', () => this.open.delete(socket));
    return socket;
  };

  cutAll(): void {
    this.cut = true;
    for (const socket of this.open) socket.destroy(new Error('network cut'));
  }
}
