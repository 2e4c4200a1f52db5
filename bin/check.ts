/**
 * `wippy check [PATH] [--json]`: every check of loading a registry, without running anything.
 *
 * Owns: the command's output. It loads the registry as `wippy run` does (YAML, entry kinds and
 * references, Lua syntax) with type checking always on and strict, so every type issue is an
 * error; prints one line per problem and per warning (`file:line:col: ...`) and a summary, or
 * with --json one object `{ok, errors, warnings}` whose items have file, line, column, entry,
 * field and message, for editors. Exit 0 when there is no error, 2 when there is one.
 * Invariants: nothing is started and no store is opened; warnings never change the status.
 */
import { loadRegistry, RegistryError, formatProblem, type Problem } from '../registry';
import { loadOptions } from '../app/runtime';
import { exitCodeFor } from '../base/exit';

export interface CheckOptions { json?: boolean }

export function checkCommand(target: string | undefined, opts: CheckOptions): number {
  let errors: readonly Problem[] = [];
  let warnings: readonly Problem[] = [];
  let entries = 0;
  try {
    const reg = loadRegistry(target ?? '.', loadOptions({ enabled: true, strict: true }));
    warnings = reg.warnings;
    entries = reg.entries.size;
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    errors = e.problems;
    warnings = e.warnings;
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ok: errors.length === 0, errors, warnings }, null, 2)}\n`);
  } else {
    for (const p of errors) process.stdout.write(`${formatProblem(p)}\n`);
    for (const w of warnings) process.stdout.write(`${formatProblem(w, true)}\n`);
    const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
    const warned = count(warnings.length, 'warning', 'warnings');
    process.stdout.write(errors.length === 0
      ? `ok: ${count(entries, 'entry', 'entries')} checked, ${warned}\n`
      : `${count(errors.length, 'error', 'errors')}, ${warned}\n`);
  }
  return exitCodeFor(errors.length === 0 ? 'ok' : 'usage');
}
