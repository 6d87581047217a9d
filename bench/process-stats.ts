import fs from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times; 100 on Linux everywhere it runs. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may itself hold spaces: utime is
  // the 14th field of the line, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * Resident MiB of the mappings of files whose path contains `name`: the code
 * of a shared library, which counts in a process's RSS without being memory
 * the process allocated.
 */
export function mappedResidentMiB(pid: number, name: string): number {
  let path = '';
  let kib = 0;
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) path = mapping[1] ?? '';
    else if (path.includes(name) && line.startsWith('Rss:')) kib += Number(line.split(/\s+/)[1]);
  }
  return kib / 1024;
}

/** CPU seconds each named process uses from now until the returned function is called. */
export function cpuMeter(pids: Record<string, number | undefined>): () => Record<string, number> {
  const start = Object.entries(pids).map(([name, pid]) => [name, pid, pid && cpuSeconds(pid)]);
  return () =>
    Object.fromEntries(
      start
        .filter(([, pid]) => pid !== undefined)
        .map(([name, pid, before]) => [name, cpuSeconds(pid as number) - (before as number)]),
    );
}
