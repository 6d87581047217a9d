import crypto from 'node:crypto';
import type { ClickHouseStore } from '../clickhouse/client.ts';
import { Authenticator, loadAdminKeyDigest } from '../api/auth.ts';
import { removeOwner, writeOwner } from '../api/owner-file.ts';
import { baseRoutes } from '../api/base-routes.ts';
import { ApiKeyStore } from '../api/keys/api-key-store.ts';
import type { Route } from '../api/router.ts';
import { startApiServer, type ApiServer, type PublicHandler } from '../api/server.ts';
import { errorMessage, PipelineError } from '../lib/errors.ts';
import type { Runtime } from './runtime.ts';
import { describeConfig } from '../lib/config.ts';
import { startTelemetry, type Telemetry } from '../lib/telemetry.ts';

/** A part that takes longer to stop (a Kafka outage, say) is left behind after this. */
const STOP_TIMEOUT_MS = 30_000;

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs the parts of a long-running command and takes them down in reverse
 * order on Ctrl-C or SIGTERM: consumers finish and commit their batch, the
 * HTTP server closes, the store closes, a broker started here stops. A
 * signal while the parts are still starting (a consumer waiting to join its
 * group, say) stops those already started and exits. A second signal exits
 * at once.
 */
export class ServiceHost {
  private readonly stops: { name: string; stop: () => Promise<void> }[] = [];
  private stopping?: Promise<void>;
  private readonly signalled: Promise<NodeJS.Signals>;

  private telemetry?: Telemetry;

  /** Logs the command's configuration, secrets masked, and listens for signals from now on. */
  constructor(
    private readonly runtime: Runtime,
    private readonly command: string,
  ) {
    runtime.logger.info({ command, config: describeConfig(runtime.config) }, 'starting');
    this.signalled = new Promise((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        if (this.stopping) {
          process.stderr.write('second signal: exiting without a clean stop\n');
          process.exit(130);
        }
        resolve(signal);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // A closed terminal must not leave a broker behind either.
      process.on('SIGHUP', onSignal);
    });
  }

  /** Registers a part to stop on shutdown; parts stop in reverse order of registration. */
  onStop(name: string, stop: () => Promise<void>): void {
    this.stops.push({ name, stop });
  }

  /**
   * Serves the HTTP API and, when this process owns the embedded store,
   * records its address in the data directory for the other commands.
   * Tenant keys and their admin routes come with every server, so that
   * `llmcost keys` works through whichever command owns the store.
   */
  async serveApi(
    store: ClickHouseStore,
    readiness: () => Record<string, boolean>,
    routes: Route[] = [],
    publicHandler?: PublicHandler,
  ): Promise<ApiServer> {
    const { config, paths, logger } = this.runtime;
    const admin = loadAdminKeyDigest(config.adminKey, paths.adminKeyDigest);
    if (admin.generated) {
      process.stderr.write(
        `\nAdmin API key (shown once; only its hash is kept in ` +
          `${paths.adminKeyDigest}):\n  ${admin.generated}\n\n`,
      );
    }

    const ownerToken = crypto.randomBytes(24).toString('base64url');
    const keys = new ApiKeyStore(store.client, { logger });
    let server: ApiServer;
    try {
      server = await startApiServer({
        port: config.port,
        routes: [...baseRoutes(store, keys), ...routes],
        logger,
        readiness,
        publicHandler,
        metricsHandler: this.telemetry?.prometheus,
        host: config.host,
        auth: new Authenticator(admin.digest, ownerToken, keys),
      });
    } catch (error) {
      throw new PipelineError(
        `cannot listen on ${config.host}:${config.port} ` +
          `(${errorMessage(error)}); pass --port or set LLMCOST_PORT`,
        { code: 'PORT_IN_USE' },
      );
    }
    this.onStop('api', () => server.close());

    if (store.embedded) {
      writeOwner(paths.ownerFile, {
        pid: process.pid,
        url: server.url,
        token: ownerToken,
        command: this.command,
        startedAt: new Date().toISOString(),
      });
      this.onStop('owner file', async () => removeOwner(paths.ownerFile));
    }
    return server;
  }

  /**
   * Serves only `/health`, `/ready` and (with Prometheus telemetry)
   * `/metrics`, for a command that has no API of its own: one that does not
   * own the embedded store, such as a consumer running against a ClickHouse
   * server, or the compaction worker.
   */
  async serveProbes(readiness: () => Record<string, boolean>): Promise<ApiServer> {
    const { config, logger } = this.runtime;
    let server: ApiServer;
    try {
      server = await startApiServer({
        port: config.port,
        host: config.host,
        routes: [],
        logger,
        readiness,
        metricsHandler: this.telemetry?.prometheus,
      });
    } catch (error) {
      throw new PipelineError(
        `cannot listen on ${config.host}:${config.port} ` +
          `(${errorMessage(error)}); pass --port or set LLMCOST_PORT`,
        { code: 'PORT_IN_USE' },
      );
    }
    this.onStop('probes', () => server.close());
    return server;
  }

  /**
   * Starts the command's parts; if one fails, the ones already running are
   * stopped before the error goes on to the user.
   */
  async start<T>(startParts: () => Promise<T>): Promise<T> {
    const started = this.startAll(startParts);
    const signal = await Promise.race([started.then(() => undefined), this.signalled]);
    if (signal) {
      this.runtime.logger.info({ signal }, 'stopping before the start finished');
      started.catch(() => undefined);
      await this.shutdown();
      process.exit(0);
    }
    return started;
  }

  private async startAll<T>(startParts: () => Promise<T>): Promise<T> {
    try {
      const { logger } = this.runtime;
      const telemetry = await startTelemetry(process.env, `llmcost-${this.command}`, logger);
      this.telemetry = telemetry;
      this.onStop('telemetry', () => telemetry.shutdown());
      return await startParts();
    } catch (error) {
      await this.shutdown();
      throw error;
    }
  }

  /** Resolves when the process is asked to stop. */
  untilSignal(): Promise<NodeJS.Signals> {
    return this.signalled;
  }

  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      for (const { name, stop } of [...this.stops].reverse()) {
        try {
          await withTimeout(
            stop(),
            STOP_TIMEOUT_MS,
            `${name} did not stop within ` + `${STOP_TIMEOUT_MS / 1000} s`,
          );
        } catch (error) {
          this.runtime.logger.error({ part: name, err: errorMessage(error) }, 'stop failed');
        }
      }
    })();
    return this.stopping;
  }
}
