import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type { ValidationError } from '../lib/errors.ts';
import { HttpError, readJson, type BodyLimit } from './http.ts';

/**
 * Reads a JSON body and checks it against `schema`. A body that does not
 * fit is a 400 naming the field at fault: the path of the first problem, or
 * the first key the schema does not know.
 */
export async function readBodyAs<S extends z.ZodType>(
  request: IncomingMessage,
  schema: S,
  limit?: BodyLimit,
): Promise<z.output<S>> {
  const parsed = schema.safeParse(await readJson(request, limit));
  if (parsed.success) return parsed.data;

  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') path.push(issue.keys[0]!);
  const field = path.join('.');
  throw badField(field, issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message);
}

/** A 400 about one field of a body: the message starts with the field's name. */
export function badField(field: string, problem: string): HttpError {
  return new HttpError(400, 'BAD_REQUEST', field ? `${field}: ${problem}` : problem, field);
}

/** A ValidationError of the pipeline as a 400 that starts with, and names, its first field. */
export function fromValidationError(error: ValidationError): HttpError {
  const message = error.issues
    .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
    .join('; ');
  return new HttpError(400, 'BAD_REQUEST', message, error.issues[0]?.path);
}
