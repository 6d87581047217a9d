/**
 * Prints where a V8 CPU profile (.cpuprofile from node --cpu-prof) spent its
 * time: self time by function and by file, the largest first.
 *
 *   npx tsx bench/profile-summary.ts bench/results/profiles/CPU.….cpuprofile
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: profile-summary.ts FILE.cpuprofile\n');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
const total = profile.nodes.reduce((sum, node) => sum + node.hitCount, 0);

function top(key: (node: ProfileNode) => string, count: number): string[] {
  const sums = new Map<string, number>();
  for (const node of profile.nodes) sums.set(key(node), (sums.get(key(node)) ?? 0) + node.hitCount);
  return [...sums.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, hits]) => `${((hits / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
}

const shortUrl = (url: string) =>
  url
    .replace(/^.*\/(node_modules\/)?/, (m) => (m.includes('node_modules') ? 'node_modules/' : ''))
    .replace(/^file:\/\//, '');
process.stdout.write(`self time by function (${total} samples):\n`);
process.stdout.write(
  top(
    (n) =>
      `${n.callFrame.functionName || '(anonymous)'} ` +
      `${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`,
    30,
  ).join('\n') + '\n',
);
process.stdout.write('\nself time by file:\n');
process.stdout.write(
  top((n) => shortUrl(n.callFrame.url) || `(${n.callFrame.functionName})`, 20).join('\n') + '\n',
);
