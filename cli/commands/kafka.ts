import type { Command } from 'commander';
import { localKafka } from '../runtime.ts';
import type { RuntimeFactory } from './types.ts';

export function registerKafka(program: Command, runtime: RuntimeFactory): void {
  const kafka = program
    .command('kafka')
    .description('manage the local single-node Kafka broker of the data directory')
    .addHelpText(
      'after',
      `
The broker is Apache Kafka from Maven Central (downloaded once into .cache/),
run in KRaft mode on 127.0.0.1 with its files in <data dir>/kafka. It needs
Java 17+ and Maven. With KAFKA_BROKERS set, llmcost uses that cluster instead.`,
    );

  kafka
    .command('start')
    .description('start the broker in the background (or report the one running)')
    .action(async (_options, command: Command) => {
      const { brokers, started } = await localKafka(runtime(command)).start();
      process.stdout.write(`${started ? 'started' : 'already running'}: ${brokers}\n`);
    });

  kafka
    .command('stop')
    .description('stop the broker cleanly')
    .action(async (_options, command: Command) => {
      const stopped = await localKafka(runtime(command)).stop();
      process.stdout.write(stopped ? 'stopped\n' : 'not running\n');
    });

  kafka
    .command('status')
    .description('say whether the broker runs, and where')
    .action((_options, command: Command) => {
      const status = localKafka(runtime(command)).status();
      process.stdout.write(
        status.running
          ? `running: ${status.brokers} (pid ${status.pid}, Kafka ${status.version})\n`
          : 'not running\n',
      );
      process.exitCode = status.running ? 0 : 3;
    });
}
