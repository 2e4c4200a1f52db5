/**
 * Wippy's workflow start options, as a Spawner (`process.with_options`) gives them: which id a
 * new workflow gets and what happens when a workflow with that id is already running.
 *
 * Owns: reading option keys in their canonical form (`workflow.id`) or Wippy's legacy one
 * (`temporal.workflow.id`), the id rule (the `workflow.id` option, else the Spawner's name, else a
 * generated one) and the conflict rule of Wippy's Temporal host: a given id (option or name)
 * defaults to "use the running workflow" (its PID is returned and the startup messages are
 * signalled to it), a generated one to "fail"; `workflow.id_conflict_policy` (`use_existing`,
 * `fail`) and `workflow.execution_error_when_already_started` override the default.
 * Invariants: pure (no store access); a malformed option is an Invalid error naming the key.
 */
import { ErrorKind, type ErrorInfo } from '../../base/errors';

/** Where a start's id comes from and what a running workflow with that id means. */
export interface StartIdentity {
  /** Undefined: generated (never collides). */
  id?: string;
  /** A running workflow with this id is joined (true) or is an AlreadyExists error (false). */
  useExisting: boolean;
}

const LEGACY_PREFIX = 'temporal.';

/** Option `key` (canonical, e.g. `activity.retry_policy`), or its legacy `temporal.` alias. */
export function optionGet(options: Record<string, unknown> | undefined, key: string): unknown {
  if (!options) return undefined;
  if (options[key] !== undefined) return options[key];
  return options[LEGACY_PREFIX + key];
}

const invalid = (message: string): { error: ErrorInfo } => ({ error: { kind: ErrorKind.Invalid, message, retryable: false } });

/** The id and conflict rule of a start with these options and Spawner name. */
export function startIdentity(options: Record<string, unknown> | undefined, name: string | undefined): StartIdentity | { error: ErrorInfo } {
  let id = name || undefined;
  const given = optionGet(options, 'workflow.id');
  if (given !== undefined) {
    if (typeof given !== 'string') return invalid(`workflow.id must be a string, got ${typeof given}`);
    if (given === '') return invalid('workflow.id cannot be empty');
    id = given;
  }
  const manual = id !== undefined;
  let errorWhenStarted = !manual;
  const ews = optionGet(options, 'workflow.execution_error_when_already_started');
  if (ews !== undefined) {
    if (typeof ews !== 'boolean') return invalid(`workflow.execution_error_when_already_started must be a boolean, got ${typeof ews}`);
    errorWhenStarted = ews;
  }
  const policy = optionGet(options, 'workflow.id_conflict_policy');
  if (policy === undefined) return { id, useExisting: !errorWhenStarted };
  const p = typeof policy === 'string' ? policy.toLowerCase().replace(/^workflow_id_conflict_policy_/, '') : policy;
  if (p === 'use_existing') return { id, useExisting: true };
  if (p === 'fail') return { id, useExisting: false };
  if (p === 'unspecified') return { id, useExisting: !errorWhenStarted };
  if (p === 'terminate_existing') return invalid('workflow.id_conflict_policy terminate_existing is not supported by wippy-ts (its store keeps one run per workflow id); use use_existing or fail');
  return invalid(`workflow.id_conflict_policy has invalid value ${JSON.stringify(policy)} (use_existing or fail)`);
}
