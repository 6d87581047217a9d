import type { z } from 'zod';
import type { ValidationIssue } from '../lib/errors.ts';

/** Zod's issues as ValidationError issues, each located by its dotted path under `prefix`. */
export function issuesOf(error: z.ZodError, prefix: string[] = []): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}
