import fs from 'node:fs';
import path from 'node:path';

/** Where each part keeps its files inside the data directory. */
export function dataPaths(dataDir: string) {
  return {
    root: dataDir,
    kafka: path.join(dataDir, 'kafka'),
    clickhouse: path.join(dataDir, 'clickhouse'),
    logs: path.join(dataDir, 'logs'),
    /** The address of the process that owns the embedded store (see api/owner-file.ts). */
    ownerFile: path.join(dataDir, 'owner.json'),
    adminKeyDigest: path.join(dataDir, 'admin-key.sha256'),
  };
}

export function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** True when a process with this pid exists (signal 0 only checks). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
