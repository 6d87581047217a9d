import { Kafka, logLevel, type KafkaConfig, type logCreator } from 'kafkajs';
import type { Logger } from '../lib/logger.ts';

/**
 * Routes kafkajs's own log lines into pino under `component: kafkajs`.
 * kafkajs reports errors it is about to retry by itself (a coordinator still
 * loading, a leader moving) at ERROR; they are logged here as warnings so that
 * an error line from this pipeline always means something gave up.
 */
function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () => (entry) => {
    const { message, ...fields } = entry.log;
    const context = { ...fields, namespace: entry.namespace };
    if (entry.level === logLevel.ERROR || entry.level === logLevel.WARN) {
      child.warn(context, message);
    } else if (entry.level === logLevel.INFO) {
      child.debug(context, message);
    } else {
      child.trace(context, message);
    }
  };
}

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** kafkajs connection retries; the consumers add their own outer retry on top. */
  retry?: KafkaConfig['retry'];
  /** How broker connections are opened (kafkajs's own TCP sockets by default). */
  socketFactory?: KafkaConfig['socketFactory'];
}

export function createKafka(options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.INFO,
    logCreator: pinoLogCreator(options.logger),
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: options.retry ?? { initialRetryTime: 200, retries: 8, maxRetryTime: 5_000 },
    socketFactory: options.socketFactory,
  });
}
