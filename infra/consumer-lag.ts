import type { Admin } from 'kafkajs';
import { sleep } from '../lib/retry.ts';

/** Messages of `topic` that the group has not committed yet, over all partitions. */
export async function consumerLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const done = new Map(
    (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
  );
  let lag = 0n;
  for (const partition of ends) {
    const end = BigInt(partition.high);
    const at = done.get(partition.partition) ?? -1n;
    lag += at < 0n ? end - BigInt(partition.low) : end - at;
  }
  return Number(lag);
}

/** Polls until the group has committed everything in the topic, or the time is up. */
export async function waitForCatchUp(
  admin: Admin,
  groupId: string,
  topic: string,
  options: { timeoutMs: number; onPoll?: (lag: number) => void },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    const lag = await consumerLag(admin, groupId, topic);
    options.onPoll?.(lag);
    if (lag === 0) return true;
    await sleep(250);
  }
  return false;
}
