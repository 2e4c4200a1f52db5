/**
 * `wippy store check|recover`: the store's health on demand.
 *
 * Owns: each subcommand's flow and output; the work is runtime/store's (integrity.ts, recover.ts).
 * `check` runs SQLite's full integrity check on a read-only connection (beside a running `wippy
 * run` too): exit 0 and one line when sound; the problems on stdout, the damaged-store line on
 * stderr and exit 4 when not. `recover` copies what can be read into a new file and says what was
 * left behind; it refuses while a `wippy run` holds the store, and never writes the damaged file.
 */
import { exitCodeFor } from '../base/exit';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, WippyError } from '../base/errors';
import { checkIntegrity, damagedError, describeProblems, isPostgresUrl } from '../runtime/store';
import { recoverStore, type TableSalvage } from '../runtime/store/recover';
import { selectStore, storeHolder } from '../app/control';
import type { SelectedStore, StoreChoice } from '../app/control';

export interface RecoverOptions extends StoreChoice { output: string }

function existing(choice: StoreChoice): SelectedStore {
  const sel = selectStore(choice);
  if (isPostgresUrl(sel.path)) {
    throw new WippyError(ErrorCode.BAD_ARGUMENT, `${sel.label}: wippy store check and recover work on SQLite files; a PostgreSQL server keeps its own data sound (use its tools: pg_amcheck, pg_dump)`);
  }
  if (!fs.existsSync(sel.path)) throw new WippyError(ErrorCode.STORE_INVALID, `${sel.label}: no such file (${sel.path})`);
  return sel;
}

export function checkCommand(opts: StoreChoice): number {
  const sel = existing(opts);
  const r = checkIntegrity(sel.path);
  if (r.error !== undefined) throw new WippyError(ErrorCode.STORE_INVALID, `${sel.label}: cannot be checked (${r.error})`);
  if (r.problems.length > 0) {
    process.stdout.write(r.problems.map((p) => `${p}\n`).join(''));
    throw damagedError(sel.label, sel.path, describeProblems(r.problems));
  }
  process.stdout.write(`${sel.label}: sound (SQLite's full integrity check found no problem)\n`);
  return exitCodeFor('ok');
}

export function recoverCommand(opts: RecoverOptions): number {
  const sel = existing(opts);
  const holder = storeHolder(sel.path);
  if (holder !== null) {
    throw new WippyError(ErrorCode.STORE_LOCKED, `${sel.label}: in use by a running wippy (pid ${holder}); stop it before recovering the store`);
  }
  const out = path.resolve(opts.output);
  const r = recoverStore(sel.path, out, sel.label);
  const rel = path.relative(process.cwd(), out);
  const shown = rel !== '' && rel.length < out.length ? rel : out;
  const part = (what: string, t: TableSalvage): string => {
    const left = [t.lost ? `${t.lost} left out` : '', t.unreadable ? `unreadable in ${t.unreadable} place${t.unreadable === 1 ? '' : 's'}` : ''].filter(Boolean);
    return `${t.copied} ${what}${left.length ? ` (${left.join('; ')})` : ''}`;
  };
  const lines = [`recovered into ${shown}: ${part('workflows', r.workflows)}, ${part('history records', r.records)}, ${part('pending signals', r.signals)}`];
  if (r.cut.length) lines.push(`histories cut at a gap (records after it dropped; a running one resumes from there, redoing those steps): ${r.cut.join(', ')}`);
  if (r.failed.length) lines.push(`marked failed (their history lost its start, they cannot be resumed): ${r.failed.join(', ')}`);
  lines.push(`check it with \`wippy workflow list --db ${shown}\`, then put it in place of the damaged store (keep that one until you are sure)`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return exitCodeFor('ok');
}
