import { spawn } from 'node:child_process';
import { Partitioners } from 'kafkajs';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PipelineError, PrerequisiteError } from '../lib/errors.ts';
import { ensureDir, processAlive } from '../lib/data-dir.ts';
import type { Logger } from '../lib/logger.ts';
import { sleep } from '../lib/retry.ts';
import { createKafka } from './kafka-client.ts';
import { checkJava, ensureKafkaJars, javaExecutable, KAFKA_VERSION } from './kafka-install.ts';

export interface LocalKafkaOptions {
  /** `<data dir>/kafka`: configuration, log segments, pid and the broker's own log. */
  dir: string;
  /** Where the jars are cached (see kafka-install.ts). */
  cacheDir: string;
  logger: Logger;
  /** Preferred client port; the controller takes the next one. @default 19092 */
  port?: number;
  /** Broker heap. @default 512 */
  heapMb?: number;
  /** How long to wait for the broker to answer metadata requests. @default 60000 */
  startTimeoutMs?: number;
}

export interface LocalKafkaStatus {
  running: boolean;
  pid?: number;
  brokers?: string;
  version?: string;
}

interface BrokerState {
  pid: number;
  brokers: string;
  controllerPort: number;
  version: string;
  startedAt: string;
}

const DEFAULT_PORT = 19092;

/**
 * A single-node Apache Kafka (KRaft, broker and controller in one JVM) on
 * 127.0.0.1, run as a background process that outlives the command that
 * started it. Its ports are chosen once, at format time, and kept in
 * `ports.json`, because the controller's address is part of the quorum
 * configuration.
 */
export class LocalKafka {
  private readonly files;

  constructor(private readonly options: LocalKafkaOptions) {
    const dir = options.dir;
    this.files = {
      state: path.join(dir, 'broker.json'),
      ports: path.join(dir, 'ports.json'),
      properties: path.join(dir, 'server.properties'),
      log: path.join(dir, 'broker.log'),
      logDirs: path.join(dir, 'log-dirs'),
    };
  }

  /** Reads the state file and checks that the recorded process is alive. */
  status(): LocalKafkaStatus {
    const state = this.readState();
    if (!state || !processAlive(state.pid)) return { running: false };
    return { running: true, pid: state.pid, brokers: state.brokers, version: state.version };
  }

  /**
   * Starts the broker unless one from this data directory already runs, and
   * returns its address once it answers metadata requests. `started` says
   * whether this call started it (and so whether its caller should stop it).
   */
  async start(): Promise<{ brokers: string; started: boolean }> {
    const current = this.status();
    if (current.running && current.brokers) {
      await this.waitUntilReady(current.brokers, current.pid);
      return { brokers: current.brokers, started: false };
    }

    checkJava();
    const libs = await ensureKafkaJars(this.options.cacheDir, this.options.logger);
    ensureDir(this.options.dir);
    const ports = await this.choosePorts();
    this.writeProperties(ports);
    await this.formatStorage(libs);

    const pid = this.spawnBroker(libs);
    const brokers = `127.0.0.1:${ports.client}`;
    const state: BrokerState = {
      pid,
      brokers,
      controllerPort: ports.controller,
      version: KAFKA_VERSION,
      startedAt: new Date().toISOString(),
    };
    fs.writeFileSync(this.files.state, JSON.stringify(state, null, 2));

    await this.waitUntilReady(brokers, pid);
    return { brokers, started: true };
  }

  /** Stops the broker with SIGTERM (a clean shutdown), then SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<boolean> {
    const state = this.readState();
    if (!state || !processAlive(state.pid)) {
      fs.rmSync(this.files.state, { force: true });
      return false;
    }

    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + timeoutMs;
    while (processAlive(state.pid) && Date.now() < deadline) await sleep(100);
    if (processAlive(state.pid)) {
      this.options.logger.warn({ pid: state.pid }, 'broker did not stop in time; killing it');
      process.kill(state.pid, 'SIGKILL');
    }
    fs.rmSync(this.files.state, { force: true });
    return true;
  }

  private readState(): BrokerState | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.files.state, 'utf8')) as BrokerState;
    } catch {
      return undefined;
    }
  }

  private async choosePorts(): Promise<{ client: number; controller: number }> {
    if (fs.existsSync(this.files.ports)) {
      const ports = JSON.parse(fs.readFileSync(this.files.ports, 'utf8'));
      for (const port of [ports.client, ports.controller]) {
        if (!(await portFree(port))) {
          throw new PipelineError(
            `port ${port} on 127.0.0.1, recorded for the local Kafka ` +
              `broker in ${this.files.ports}, is taken by another process; stop it, or use ` +
              `another --data-dir`,
            { code: 'PORT_IN_USE', context: { port } },
          );
        }
      }
      return ports;
    }

    const preferred = this.options.port ?? DEFAULT_PORT;
    const both = (await portFree(preferred)) && (await portFree(preferred + 1));
    const ports = both
      ? { client: preferred, controller: preferred + 1 }
      : { client: await freePort(), controller: await freePort() };
    fs.writeFileSync(this.files.ports, JSON.stringify(ports));
    return ports;
  }

  private writeProperties(ports: { client: number; controller: number }): void {
    const lines = [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${ports.controller}`,
      `listeners=PLAINTEXT://127.0.0.1:${ports.client},CONTROLLER://127.0.0.1:${ports.controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${ports.client}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${this.files.logDirs}`,
      'num.partitions=1',
      'auto.create.topics.enable=false',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=6',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      // Compaction requests carry whole conversations (CONTRACTS.md: up to 16 MB).
      'message.max.bytes=16777216',
      'replica.fetch.max.bytes=16777216',
    ];
    fs.writeFileSync(this.files.properties, lines.join('\n') + '\n');
  }

  private async formatStorage(libs: string): Promise<void> {
    if (fs.existsSync(path.join(this.files.logDirs, 'meta.properties'))) return;

    const clusterId = crypto.randomBytes(16).toString('base64url');
    const args = [
      ...this.jvmArgs(libs, 256),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      this.files.properties,
    ];
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(javaExecutable(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (exit) => {
        if (exit !== 0) this.options.logger.error({ stderr }, 'formatting Kafka storage failed');
        resolve(exit ?? 1);
      });
    });
    if (code !== 0) {
      throw new PipelineError(
        `formatting the local Kafka storage in ${this.files.logDirs} ` + `failed (exit ${code})`,
        { code: 'KAFKA_FORMAT' },
      );
    }
  }

  private spawnBroker(libs: string): number {
    const log = fs.openSync(this.files.log, 'a');
    const args = [
      ...this.jvmArgs(libs, this.options.heapMb ?? 512),
      'kafka.Kafka',
      this.files.properties,
    ];
    const child = spawn(javaExecutable(), args, { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    fs.closeSync(log);
    if (child.pid === undefined) {
      throw new PrerequisiteError('could not start java for the local Kafka broker');
    }
    this.options.logger.info({ brokerPid: child.pid, log: this.files.log }, 'local Kafka starting');
    return child.pid;
  }

  private jvmArgs(libs: string, heapMb: number): string[] {
    const log4j = path.join(import.meta.dirname, 'kafka', 'log4j2.properties');
    return [
      `-Xms${Math.min(heapMb, 256)}m`,
      `-Xmx${heapMb}m`,
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${log4j}`,
      '-cp',
      path.join(libs, '*'),
    ];
  }

  /** Polls a metadata request until it answers; fails early if the process dies. */
  private async waitUntilReady(brokers: string, pid: number | undefined): Promise<void> {
    const timeoutMs = this.options.startTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    const quiet = this.options.logger.child({ component: 'local-kafka' });
    quiet.level = 'error';
    const admin = createKafka({
      brokers: [brokers],
      clientId: 'llmcost-ready',
      logger: quiet,
      retry: { retries: 0 },
    }).admin();

    while (Date.now() < deadline) {
      if (pid !== undefined && !processAlive(pid)) {
        throw new PipelineError(
          `the local Kafka broker exited during start; its log ` +
            `(${this.files.log}) ends with:\n${logTail(this.files.log)}`,
          { code: 'KAFKA_START' },
        );
      }
      try {
        await admin.connect();
        await admin.describeCluster();
        await admin.disconnect();
        await warmUpCoordinators(brokers, quiet);
        return;
      } catch {
        await admin.disconnect().catch(() => undefined);
        await sleep(250);
      }
    }
    throw new PipelineError(
      `the local Kafka broker at ${brokers} did not answer within ` +
        `${timeoutMs} ms; see ${this.files.log}`,
      { code: 'KAFKA_START', retriable: true },
    );
  }
}

/**
 * A new broker creates its group and producer-id state on first use, and
 * until then answers "coordinator loading"; kafkajs retries that but logs
 * each try. Doing the first use here, quietly, spares every client the noise.
 */
async function warmUpCoordinators(brokers: string, quiet: Logger): Promise<void> {
  const kafka = createKafka({ brokers: [brokers], clientId: 'llmcost-warmup', logger: quiet });
  const admin = kafka.admin();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  try {
    await admin.connect();
    await admin.describeGroups(['llmcost-warmup']);
    await producer.connect();
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
}

function logTail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
