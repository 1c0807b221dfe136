/**
 * Problems the API answers (RFC 9457), as the console shows them: a message, a stable `type`
 * (`validation_error`, `invalid_data`, `conflict`, `not_found`, ...) and per-field messages keyed
 * by the field path (`data.phone`, `steps.0.form.fields.1.id`).
 */
import type { components } from './schema';

export type Problem = Partial<components['schemas']['Problem']>;

/** An answer that was not 2xx. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }

  /** The problem's machine-readable type. */
  get type(): string {
    return this.problem.type ?? '';
  }

  /** Field path (joined with dots) → message, for mapping server errors onto form fields. */
  get fieldErrors(): Record<string, string> {
    return Object.fromEntries((this.problem.issues ?? []).map((issue) => [issue.path.join('.'), issue.message]));
  }
}
