import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createKafka } from '../infra/kafka-client.ts';
import { LocalKafka } from '../infra/local-kafka.ts';
import { loadConfig, packageRoot } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';
import { benchIngest, type IngestContext } from './ingest.ts';
import { benchAggregate } from './aggregate-run.ts';
import { benchAlertLatency } from './alert-latency.ts';
import { benchLatency } from './latency.ts';
import { benchTokens } from './tokens.ts';
import { compareRuns, markdownTable, writeBenchmarksFile } from './report.ts';
import type { BenchFigure, BenchRun } from './result.ts';

const ALL = ['ingest', 'latency', 'alerts', 'tokens', 'aggregate'];

const HELP = `npm run bench -- [options]

  --calls N        calls through the ingest benchmark (default 500000)
  --rate R         offered calls per second in the latency benchmark (default 2000)
  --seconds S      how long the latency benchmark offers them (default 20)
  --only LIST      comma-separated: ingest,latency,alerts,tokens,aggregate (default all)
  --alert-rate R   calls per second offered in the alert benchmark (default 200)
  --aggregate-calls N  calls behind the aggregation benchmark (default 10000000)
  --compare FILE   print the change of each figure against an earlier results JSON
  --no-write       do not update BENCHMARKS.md (a run of some benchmarks only never does:
                   the table there is that of one whole run)
  --profile        CPU-profile the pricing process (bench/results/profiles; summarise with
                   npx tsx bench/profile-summary.ts FILE)
  --help

Starts a Kafka broker of its own unless KAFKA_BROKERS is set, and embedded
stores in temporary directories; removes all of them at the end. Results go to
bench/results/<time>.json and the latest table to BENCHMARKS.md.`;

const { values: flags } = parseArgs({
  options: {
    calls: { type: 'string', default: '500000' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '20' },
    only: { type: 'string', default: ALL.join(',') },
    'alert-rate': { type: 'string', default: '200' },
    'aggregate-calls': { type: 'string', default: '10000000' },
    compare: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

function say(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function positive(name: string, value: string | undefined): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    process.stderr.write(`--${name} takes a whole number ≥ 1\n`);
    process.exit(2);
  }
  return number;
}

async function main(): Promise<void> {
  if (flags.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const options = {
    calls: positive('calls', flags.calls),
    rate: positive('rate', flags.rate),
    seconds: positive('seconds', flags.seconds),
    alertRate: positive('alert-rate', flags['alert-rate']),
    aggregateCalls: positive('aggregate-calls', flags['aggregate-calls']),
    only: flags.only!.split(','),
  };
  const logger = createLogger({ level: 'warn' });
  const config = loadConfig(process.env);

  const broker = config.kafkaBrokers
    ? undefined
    : new LocalKafka({
        dir: fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-bench-kafka-')),
        cacheDir: config.cacheDir,
        logger,
        port: 49092,
      });
  const brokers = config.kafkaBrokers?.join(',') ?? (await broker!.start()).brokers;
  say(`Kafka at ${brokers}`);
  const profiles = path.join(packageRoot, 'bench', 'results', 'profiles');
  const nodeArgs = flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${profiles}`] : [];
  const context: IngestContext = {
    nodeArgs,
    brokerPid: broker?.status().pid,
    brokers,
    logger,
    say,
    kafka: createKafka({ brokers: brokers.split(','), clientId: 'llmcost-bench', logger }),
  };

  const figures: BenchFigure[] = [];
  try {
    if (options.only.includes('ingest'))
      figures.push(...(await benchIngest(context, options.calls)));
    if (options.only.includes('alerts')) {
      figures.push(...(await benchAlertLatency(context, { rate: options.alertRate })));
    }
    if (options.only.includes('tokens')) figures.push(...benchTokens(say));
    if (options.only.includes('aggregate')) {
      figures.push(...(await benchAggregate(options.aggregateCalls, say)));
    }
    if (options.only.includes('latency')) {
      figures.push(
        ...(await benchLatency(context, { rate: options.rate, seconds: options.seconds })),
      );
    }
  } finally {
    await broker?.stop();
  }

  const run: BenchRun = {
    startedAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    options,
    figures,
  };
  const resultsDir = path.join(packageRoot, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${run.startedAt.replaceAll(':', '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(run, null, 2));

  process.stdout.write(`\n${markdownTable(run)}\nresults: ${file}\n`);
  if (flags.compare) {
    const previous = JSON.parse(fs.readFileSync(flags.compare, 'utf8')) as BenchRun;
    process.stdout.write(`\ncompared with ${flags.compare}:\n${compareRuns(run, previous)}\n`);
  }
  const whole = ALL.every((name) => options.only.includes(name));
  if (!flags['no-write'] && whole) {
    writeBenchmarksFile(path.join(packageRoot, 'BENCHMARKS.md'), run);
  }
}

await main();
