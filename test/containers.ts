import { ClickHouseContainer } from '@testcontainers/clickhouse';
import { KafkaContainer } from '@testcontainers/kafka';
import type { TestClickHouse } from './global-setup.ts';

/** A single-node KRaft Kafka in a container; its PLAINTEXT listener on a mapped port. */
export async function startKafka(): Promise<{ brokers: string; stop: () => Promise<unknown> }> {
  const container = await new KafkaContainer('confluentinc/cp-kafka:8.0.0')
    .withKraft()
    .withEnvironment({
      KAFKA_MESSAGE_MAX_BYTES: '16777216',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .start();
  return {
    brokers: `${container.getHost()}:${container.getMappedPort(9093)}`,
    stop: () => container.stop(),
  };
}

/** A ClickHouse server in a container, reached over HTTP like any server. */
export async function startClickHouse(): Promise<{
  clickhouse: TestClickHouse;
  stop: () => Promise<unknown>;
}> {
  const container = await new ClickHouseContainer('clickhouse/clickhouse-server:25.8').start();
  return {
    clickhouse: {
      url: container.getHttpUrl(),
      username: container.getUsername(),
      password: container.getPassword(),
    },
    stop: () => container.stop(),
  };
}
