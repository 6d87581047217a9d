import { z } from 'zod';
import { ConfigError } from '../lib/errors.ts';

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined));

/** The compaction worker's own environment variables (CONTRACTS.md, configuration). */
const envSchema = z.object({
  COMPACTION_LLM_URL: z.url().optional(),
  COMPACTION_LLM_MODEL: optionalText,
  COMPACTION_LLM_API_KEY: optionalText,
  COMPACTION_LLM_PROVIDER: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/)
    .default('openai'),
  COMPACTION_LLM_CONTEXT_TOKENS: z.coerce.number().int().min(1_024).default(128_000),
  COMPACTION_LLM_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
});

/** An OpenAI-compatible endpoint for the model-backed strategies. */
export interface ModelEndpointConfig {
  url: string;
  model: string;
  apiKey: string | undefined;
  /** The provider id its calls are priced under. */
  provider: string;
  /** The summariser's context window: no call exceeds it. */
  contextTokens: number;
  timeoutMs: number;
}

export interface CompactionConfig {
  /** Undefined: no endpoint, the strategies use their local deterministic methods. */
  endpoint: ModelEndpointConfig | undefined;
}

/**
 * Reads the COMPACTION_* variables once at start. An endpoint needs both its
 * URL and its model; one without the other is a configuration error that
 * names the missing variable.
 */
export function loadCompactionConfig(env: NodeJS.ProcessEnv = process.env): CompactionConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`${variable} is invalid: ${issue?.message ?? 'unknown problem'}`, {
      variable,
    });
  }

  const e = parsed.data;
  if (!e.COMPACTION_LLM_URL && !e.COMPACTION_LLM_MODEL) return { endpoint: undefined };
  if (!e.COMPACTION_LLM_URL || !e.COMPACTION_LLM_MODEL) {
    const missing = e.COMPACTION_LLM_URL ? 'COMPACTION_LLM_MODEL' : 'COMPACTION_LLM_URL';
    throw new ConfigError(`${missing} is missing: the model endpoint needs a URL and a model`, {
      variable: missing,
    });
  }
  return {
    endpoint: {
      url: e.COMPACTION_LLM_URL,
      model: e.COMPACTION_LLM_MODEL,
      apiKey: e.COMPACTION_LLM_API_KEY,
      provider: e.COMPACTION_LLM_PROVIDER,
      contextTokens: e.COMPACTION_LLM_CONTEXT_TOKENS,
      timeoutMs: e.COMPACTION_LLM_TIMEOUT_MS,
    },
  };
}
