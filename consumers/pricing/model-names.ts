import { z } from 'zod';
import { ConfigError } from '../../lib/errors.ts';
import { readSettingsFile } from '../../lib/settings-file.ts';

/**
 * Puts a model name as services send it into the form price tables use:
 * lower case, without a `provider/` prefix (`openai/gpt-4o`), without a
 * Vertex resource path (`projects/…/publishers/google/models/gemini-2.5-pro`).
 * Dated snapshots and Bedrock ids are left to the catalogue, which knows them.
 */
export function normalizeModel(provider: string, model: string): string {
  let name = model.trim().toLowerCase();
  const resource = /(?:^|\/)models\/([^/]+)$/.exec(name);
  if (resource) name = resource[1]!;
  if (name.startsWith(`${provider}/`)) name = name.slice(provider.length + 1);
  return name;
}

/** `gpt-4o-2024-08-06` → `gpt-4o`; `claude-3-5-sonnet-20240620` → `claude-3-5-sonnet`. */
export function withoutDateSuffix(model: string): string | undefined {
  const stripped = model.replace(/(?:-|@)(?:\d{4}-\d{2}-\d{2}|\d{8})(?=$|-v\d)/, '');
  return stripped === model ? undefined : stripped;
}

/** A provider or model name, compared in lower case. */
const name = z
  .string()
  .min(1)
  .transform((text) => text.toLowerCase());

const aliasSchema = z.array(
  z.strictObject({
    provider: name,
    model: name,
    priceAs: z.strictObject({ provider: name, model: name }),
  }),
);

export type ModelAliases = Map<string, { provider: string; model: string }>;

/**
 * Reads model aliases: names the catalogue cannot know, such as Azure
 * deployment names, each priced as a known model
 * (`{provider: azure, model: prod-gpt4o-eu, priceAs: {provider: openai, model: gpt-4o}}`).
 */
export function loadModelAliases(file: string): ModelAliases {
  const raw = readSettingsFile(file, 'model aliases file');
  const parsed = aliasSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `model aliases file ${file}, entry ${issue?.path.join('.')}: ` + `${issue?.message}`,
      { file },
    );
  }
  return new Map(
    parsed.data.map((alias) => [aliasKey(alias.provider, alias.model), alias.priceAs]),
  );
}

export function aliasKey(provider: string, model: string): string {
  return `${provider}\u0000${model}`;
}
