/**
 * The process's memory in MiB, for progress logs and /health: `rss` is all
 * of it (an embedded ClickHouse included), `heap` what the JavaScript heap
 * holds (`heapUsed` of it in live and not yet collected objects), and
 * `external` the buffers outside the heap (Kafka messages, encoded rows).
 */
export function memoryMiB(): { rss: number; heap: number; heapUsed: number; external: number } {
  const usage = process.memoryUsage();
  const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
  return {
    rss: mib(usage.rss),
    heap: mib(usage.heapTotal),
    heapUsed: mib(usage.heapUsed),
    external: mib(usage.external),
  };
}
