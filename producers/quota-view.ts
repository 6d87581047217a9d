import crypto from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { kafkaError } from '../infra/kafka-errors.ts';
import type { Logger } from '../lib/logger.ts';
import { AvroCodec, type MessageHeaders } from '../schemas/codec.ts';
import type { QuotaState, QuotaStatus } from '../schemas/quota-state.ts';
import { SchemaRegistry } from '../schemas/registry.ts';
import { parseScope, SCOPE_KEYS, type Scope } from '../consumers/alerting/scope.ts';

/** What `checkQuota` answers: the worst state of every budget that would count a call in scope. */
export interface QuotaCheck {
  /** `unknown` when no budget applies to the scope. */
  status: QuotaStatus | 'unknown';
  /** Some budget's spend misses calls that could not be priced: the real spend is higher. */
  incomplete: boolean;
  budgets: QuotaState[];
}

const SEVERITY: Record<QuotaStatus, number> = { ok: 0, warning: 1, exceeded: 2 };

/**
 * The latest quota state of every budget, read from the compacted
 * quota.state.v1 from its beginning and then followed. It commits nothing:
 * each process builds its own view. `ready()` resolves once the view has
 * read up to where the topic ended when it started.
 */
export class QuotaView {
  private readonly states = new Map<string, QuotaState>();
  private readonly codec = new AvroCodec<QuotaState>(new SchemaRegistry(), 'quota-state');
  private readonly consumer: Consumer;
  private loading?: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {
    this.consumer = kafka.consumer({
      groupId: `llmcost-quota-view-${crypto.randomUUID()}`,
      allowAutoTopicCreation: false,
    });
  }

  /** Reads the topic up to where it ended; after a failure the next call tries again. */
  ready(): Promise<void> {
    this.loading ??= this.load().catch(async (error: unknown) => {
      this.loading = undefined;
      await this.consumer.disconnect();
      throw error;
    });
    return this.loading;
  }

  /** The budgets whose every scope key the given scope names with the same value. */
  check(scopeText: string): QuotaCheck {
    const scope = parseScope(scopeText);
    const budgets = [...this.states.values()].filter((state) => covers(scope, state.scope));
    const worst = budgets.reduce<QuotaStatus | 'unknown'>(
      (status, state) =>
        status === 'unknown' || SEVERITY[state.status] > SEVERITY[status] ? state.status : status,
      'unknown',
    );
    return { status: worst, incomplete: budgets.some((state) => state.incomplete), budgets };
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  private async load(): Promise<void> {
    const ends = await this.endOffsets();
    const waiting = new Map([...ends].filter(([, end]) => end > 0n));
    let caughtUp: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (caughtUp = resolve));
    if (waiting.size === 0) caughtUp();

    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await this.consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          this.apply(message.key?.toString() ?? '', message.value, message.headers);
          const end = waiting.get(partition);
          if (end !== undefined && BigInt(message.offset) + 1n >= end) waiting.delete(partition);
          if (waiting.size === 0) caughtUp();
        },
      });
    } catch (error) {
      throw kafkaError(error, 'reading quota states failed', { topic: this.topic });
    }
    await done;
  }

  private apply(key: string, value: Buffer | null, headers: MessageHeaders | undefined): void {
    if (value === null) {
      this.states.delete(key);
      return;
    }
    try {
      this.states.set(key, this.codec.decode(value, headers));
    } catch (error) {
      this.logger.warn({ topic: this.topic, key, err: String(error) }, 'quota state unreadable');
    }
  }

  private async endOffsets(): Promise<Map<number, bigint>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.topic);
      return new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
    } catch (error) {
      throw kafkaError(error, 'reading quota state offsets failed', { topic: this.topic });
    } finally {
      await admin.disconnect();
    }
  }
}

/** True when every key of the budget's scope is in `scope` with the same value. */
function covers(scope: Scope, budgetScopeText: string): boolean {
  const budgetScope = parseScope(budgetScopeText);
  return SCOPE_KEYS.every(
    (key) => budgetScope[key] === undefined || budgetScope[key] === scope[key],
  );
}
