/**
 * `wippy replay FILE... [--registry PATH]`: printing only (app/golden/suite.ts does the work).
 *
 * One verdict per file on stdout: `ok   FILE (N steps)`, or `FAIL FILE: <first report line>` and
 * the rest of the report indented. A file that cannot be read or is not a golden file is one
 * `error:` line on stderr. Exit status: 2 if any file could not be read (or the registry is bad:
 * thrown, see bin/report.ts), else 1 if any file does not match, else 0.
 */
import { exitCodeFor } from '../base/exit';
import * as path from 'node:path';
import { GoldenSession, checkGolden, Verdict } from '../app/golden';

export interface ReplayOptions { registry: string }

export function replayCommand(files: string[], opts: ReplayOptions): number {
  const session = GoldenSession.load(opts.registry);
  let unreadable = 0;
  let failed = 0;
  for (const file of files) {
    const v = checkGolden(session, file, shownPath(file));
    if (v.kind === 'fail' && v.tier === 'file') {
      unreadable++;
      process.stderr.write(`error: ${v.report}\n`);
      continue;
    }
    if (v.kind === 'fail') failed++;
    process.stdout.write(`${verdictLines(shownPath(file), v).join('\n')}\n`);
  }
  return exitCodeFor(unreadable ? 'usage' : failed ? 'failed' : 'ok');
}

/** A path as the user would type it from here. */
export function shownPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** Output lines for one file's verdict (shared with `wippy test`). */
export function verdictLines(shown: string, v: Verdict): string[] {
  const n = (k: number) => `${k} step${k === 1 ? '' : 's'}`;
  switch (v.kind) {
    case 'ok': return [`ok   ${shown} (${n(v.steps)}${v.finished ? '' : ', unfinished'})`];
    case 'updated': {
      const [first, ...rest] = v.was;
      return [`updated ${shown} (${n(v.steps)}); it had failed: ${first}`, ...rest.map((l) => `  ${l}`), ...v.notes.map((x) => `  note: ${x}`)];
    }
    case 'fail': {
      const [first, ...rest] = v.report.split('\n');
      const lead = first.startsWith(`${shown}: `) ? first.slice(shown.length + 2) : first;
      return [`FAIL ${shown}: ${lead}`, ...rest.map((l) => `  ${l}`)];
    }
  }
}
