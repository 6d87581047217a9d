import { z } from 'zod';
import { ValidationError } from '../../lib/errors.ts';
import { issuesOf } from '../validation-issues.ts';

/** Options every summarising strategy shares. */
export const summaryOptions = {
  /** Summarise what is left out instead of dropping it. */
  summarise: z.boolean().default(false),
  /** The most tokens the summary may take. */
  summaryMaxTokens: z.number().int().positive().optional(),
};

/**
 * Checks a strategy's options against its schema. Unknown names are refused
 * with the list of known ones, so a misspelt option cannot pass unnoticed.
 */
export function parseOptions<T extends z.ZodRawShape>(
  strategy: string,
  shape: T,
  options: Record<string, unknown> | undefined,
): z.infer<z.ZodObject<T>> {
  const result = z.strictObject(shape).safeParse(options ?? {});
  if (result.success) return result.data;

  const known = Object.keys(shape).join(', ') || 'none';
  const issues = issuesOf(result.error, ['options']).map((issue, index) =>
    result.error.issues[index]?.code === 'unrecognized_keys'
      ? { ...issue, message: `${issue.message}; ${strategy} takes: ${known}` }
      : issue,
  );
  throw new ValidationError(`${strategy} options`, issues, { strategy });
}
