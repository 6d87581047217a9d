import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PrerequisiteError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';

/** Keep in step with kafka.version in infra/kafka/pom.xml. */
export const KAFKA_VERSION = '4.1.1';

const pomFile = path.join(import.meta.dirname, 'kafka', 'pom.xml');
const INSTALL_HINT =
  'Install them (Debian/Ubuntu: apt-get install openjdk-17-jre-headless maven), ' +
  'or point llmcost at an existing cluster with KAFKA_BROKERS=host:9092, ' +
  'or run the whole stack with `docker compose up` (see README).';

/** The java executable: $JAVA_HOME/bin/java when set, else java on the PATH. */
export function javaExecutable(env: NodeJS.ProcessEnv = process.env): string {
  return env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** Checks for Java 17 or newer and returns its major version. */
export function checkJava(env: NodeJS.ProcessEnv = process.env): number {
  const java = javaExecutable(env);
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new PrerequisiteError(
      `The local Kafka broker needs Java 17 or newer; '${java}' ` +
        `could not be run. ${INSTALL_HINT}`,
      { java },
    );
  }

  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr);
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : 0;
  if (major < 17) {
    throw new PrerequisiteError(
      `The local Kafka broker needs Java 17 or newer; found Java ` +
        `${major || 'of unknown version'} at '${java}'. ${INSTALL_HINT}`,
      { java, major },
    );
  }
  return major;
}

function checkMaven(): void {
  const result = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new PrerequisiteError(
      `Downloading the local Kafka broker needs Maven (mvn) on the PATH. ${INSTALL_HINT}`,
    );
  }
}

/**
 * Makes sure the Kafka jars are in the cache and returns the directory that
 * holds them. The first run downloads them from Maven Central (tens of MB);
 * later runs find the marker file and return at once.
 */
export async function ensureKafkaJars(cacheDir: string, logger: Logger): Promise<string> {
  const libs = path.join(cacheDir, `kafka-${KAFKA_VERSION}`, 'libs');
  const marker = path.join(libs, '.complete');
  if (fs.existsSync(marker)) return libs;

  checkJava();
  checkMaven();
  logger.info({ version: KAFKA_VERSION, dir: libs }, 'downloading Apache Kafka from Maven Central');
  const started = Date.now();
  fs.rmSync(libs, { recursive: true, force: true });
  fs.mkdirSync(libs, { recursive: true });

  const args = [
    '-B',
    '-q',
    '-f',
    pomFile,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${libs}`,
    '-DincludeScope=runtime',
  ];
  const { code, output } = await run('mvn', args);
  if (code !== 0) {
    throw new PrerequisiteError(
      `Maven could not download Apache Kafka ${KAFKA_VERSION} ` +
        `(exit ${code}). Check access to Maven Central, or set KAFKA_BROKERS.\n${tail(output)}`,
    );
  }

  const jars = fs.readdirSync(libs).filter((name) => name.endsWith('.jar'));
  fs.writeFileSync(marker, `${jars.length} jars\n`);
  logger.info({ jars: jars.length, durationMs: Date.now() - started }, 'Apache Kafka downloaded');
  return libs;
}

function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
