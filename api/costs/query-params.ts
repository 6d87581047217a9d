import { z } from 'zod';
import { HttpError } from '../http.ts';

/**
 * One query-string parameter: the zod schema that parses its raw text, and
 * what the OpenAPI document and error messages say about it. The same
 * definition drives validation and documentation, so they cannot drift.
 */
export interface ParamSpec<S extends z.ZodType = z.ZodType> {
  schema: S;
  description: string;
  /** What is allowed, in words, for a 400 answer: "one of day, week, month". */
  expects: string;
  /** A JSON schema for the document when zod's (of the raw text) says less than this. */
  documentAs?: Record<string, unknown>;
  /** The values of a comma-separated list (OpenAPI style form, explode false). */
  list?: readonly string[];
}

/** The parameters of one route, by name, and what parsing them gives. */
export type ParamSpecs = Record<string, ParamSpec>;
export type ParsedParams<T extends ParamSpecs> = { [K in keyof T]: z.output<T[K]['schema']> };

/** A parameter spec, typed by its schema. */
export function param<S extends z.ZodType>(spec: ParamSpec<S>): ParamSpec<S> {
  return spec;
}

/** A comma-separated list of values from `allowed`, each at most once. */
export function listOf<const T extends readonly [string, ...string[]]>(allowed: T) {
  return z
    .string()
    .transform((text) => text.split(',').map((item) => item.trim()))
    .pipe(z.array(z.enum(allowed)).refine((items) => new Set(items).size === items.length));
}

/**
 * Parses the query string of a request against `specs`: unknown and
 * repeated parameters are refused, and every failure names the parameter
 * and what it allows, as a 400.
 */
export function parseParams<T extends ParamSpecs>(
  search: URLSearchParams,
  specs: T,
): ParsedParams<T> {
  const raw: Record<string, string> = {};
  for (const name of new Set(search.keys())) {
    if (!Object.hasOwn(specs, name)) {
      throw badParam(name, `unknown parameter; allowed: ${Object.keys(specs).join(', ')}`);
    }
    const values = search.getAll(name);
    if (values.length > 1) {
      throw badParam(name, 'given more than once; lists are comma-separated (a,b)');
    }
    raw[name] = values[0]!;
  }

  const parsed: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = raw[name] === '' ? undefined : raw[name];
    const result = spec.schema.safeParse(value);
    if (!result.success) throw badValue(name, value, spec.expects);
    parsed[name] = result.data;
  }
  return parsed as ParsedParams<T>;
}

function badValue(name: string, value: string | undefined, expects: string): HttpError {
  if (value === undefined) return badParam(name, `is required; expected ${expects}`);
  const shown = value.length > 100 ? `${value.slice(0, 100)}…` : value;
  return badParam(name, `'${shown}' is not allowed; expected ${expects}`);
}

/** A 400 answer about one parameter: the message starts with its name. */
export function badParam(name: string, problem: string): HttpError {
  return new HttpError(400, 'BAD_PARAMETER', `${name}: ${problem}`, name);
}
