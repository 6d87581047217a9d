/**
 * The one error shape of the pipeline. `retriable` tells the retry helper and
 * the consumers whether trying again can succeed; `context` carries the
 * identifiers of what failed (topic, partition, table, field …) so that a log
 * line or a CLI message can say where, without parsing the message text.
 */
export class PipelineError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly context: Record<string, unknown>;

  constructor(
    message: string,
    options: {
      code: string;
      retriable?: boolean;
      context?: Record<string, unknown>;
      cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }
}

/** A configuration value is missing or wrong; the message names the variable or flag. */
export class ConfigError extends PipelineError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { code: 'CONFIG', context });
  }
}

/** One problem found in an input, located by its path (`usage.inputTokens`). */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Input that does not satisfy its schema; `issues` lists every offending field. */
export class ValidationError extends PipelineError {
  readonly issues: ValidationIssue[];

  constructor(what: string, issues: ValidationIssue[], context: Record<string, unknown> = {}) {
    const detail = issues
      .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
      .join('; ');
    super(`invalid ${what}: ${detail}`, { code: 'VALIDATION', context });
    this.issues = issues;
  }
}

/** A required program or service is not available; the message says what to install or set. */
export class PrerequisiteError extends PipelineError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { code: 'PREREQUISITE', context });
  }
}

export function isRetriable(error: unknown): boolean {
  return error instanceof PipelineError && error.retriable;
}

/** The message of anything thrown, for logs and CLI output. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
