import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './errors.ts';

/**
 * Reads a settings file people write: YAML when its name ends in .yaml or
 * .yml, JSON otherwise. A file that cannot be read or parsed is a
 * ConfigError naming what the file is for.
 */
export function readSettingsFile(file: string, what: string): unknown {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`cannot read ${what} ${file}: ${String(error)}`, { file });
  }
}
