/**
 * `wippy test [PATH...] [--registry PATH] [--update]` and
 * `wippy test --record ENTRY [--input JSON]... [--stub ID=JSON]... [--signal TOPIC=JSON]... -o FILE`:
 * option checks and printing only (app/golden/suite.ts does the work).
 *
 * Test mode prints one line per golden file (see bin/replay.ts verdictLines) and
 * `N passed, N failed` as the last line of stdout; exit 1 when any failed. Record mode writes the
 * golden file and prints one line saying what was recorded, plus notes on stderr.
 */
import { exitCodeFor } from '../base/exit';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WippyError, ErrorCode } from '../base/errors';
import { GoldenSession, findGoldens, checkGolden, updateGolden, recordGolden, parseStub, parseSignal, jsonArg } from '../app/golden';
import { shownPath, verdictLines } from './replay';
import type { CallResult } from '../base/payload';

export interface TestOptions {
  registry: string;
  update?: boolean;
  record?: string;
  input?: string[];
  stub?: string[];
  signal?: string[];
  output?: string;
  start: string;
}

export async function testCommand(paths: string[], given: TestOptions): Promise<number> {
  const opts = { ...given, input: given.input ?? [], stub: given.stub ?? [], signal: given.signal ?? [] };
  if (opts.record !== undefined) return recordCommand(paths, opts);
  const recordOnly = [['--input', opts.input.length], ['--stub', opts.stub.length], ['--signal', opts.signal.length], ['-o', opts.output ? 1 : 0]] as const;
  for (const [name, n] of recordOnly) {
    if (n) throw new WippyError(ErrorCode.BAD_ARGUMENT, `${name} is only used with --record ENTRY`);
  }
  const { files, missing } = findGoldens(paths.length ? paths : ['.']);
  if (missing.length) throw new WippyError(ErrorCode.BAD_ARGUMENT, `no such file or folder: ${missing.join(', ')}`);
  const session = GoldenSession.load(opts.registry);
  let passed = 0;
  let failed = 0;
  if (files.length === 0) process.stderr.write(`wippy test: no golden files (*.golden.json) under ${(paths.length ? paths : ['.']).join(', ')}\n`);
  let updated = 0;
  for (const file of files) {
    const shown = shownPath(file);
    const v = opts.update ? await updateGolden(session, file, shown) : checkGolden(session, file, shown);
    if (v.kind === 'fail') failed++; else passed++;
    if (v.kind === 'updated') updated++;
    process.stdout.write(`${verdictLines(shown, v).join('\n')}\n`);
  }
  if (opts.update) process.stdout.write(`${updated} updated\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return exitCodeFor(failed || files.length === 0 ? 'failed' : 'ok');
}

async function recordCommand(paths: string[], opts: Required<Pick<TestOptions, 'input' | 'stub' | 'signal'>> & TestOptions): Promise<number> {
  if (paths.length) throw new WippyError(ErrorCode.BAD_ARGUMENT, `--record takes no paths (${paths.join(' ')}); write the file with -o FILE`);
  if (opts.update) throw new WippyError(ErrorCode.BAD_ARGUMENT, '--record and --update cannot be used together');
  if (!opts.output) throw new WippyError(ErrorCode.BAD_ARGUMENT, '--record needs -o FILE (where to write the golden file, e.g. -o approval.golden.json)');
  const startedAt = Date.parse(opts.start);
  if (Number.isNaN(startedAt)) throw new WippyError(ErrorCode.BAD_ARGUMENT, `--start ${opts.start}: not an ISO 8601 time (e.g. 2024-01-01T00:00:00Z)`);
  const input = opts.input.map((v, i) => jsonArg(v, `--input ${i + 1}`));
  const stubs = new Map<string, CallResult>(opts.stub.map(parseStub));
  const signals = opts.signal.map(parseSignal);
  const session = GoldenSession.load(opts.registry);
  const entry = session.rt.resolveEntryId(opts.record!);
  const kind = session.rt.registry.entries.get(entry)!.kind;
  if (kind !== 'workflow.lua') throw new WippyError(ErrorCode.BAD_ARGUMENT, `--record ${entry}: a ${kind} entry; golden files record workflow.lua entries`);
  for (const id of stubs.keys()) {
    if (session.rt.registry.entries.get(id)?.kind !== 'function.lua') process.stderr.write(`note: --stub ${id}: no function.lua entry with this id in the registry (stubbed anyway)\n`);
  }
  const r = await recordGolden(session, { entry, input, stubs, signals, startedAt });
  if ('error' in r) {
    process.stderr.write(`error: ${r.error}\n`);
    return exitCodeFor('failed');
  }
  fs.mkdirSync(path.dirname(path.resolve(opts.output)), { recursive: true });
  fs.writeFileSync(opts.output, r.text);
  for (const n of r.notes) process.stderr.write(`note: ${n}\n`);
  process.stdout.write(`recorded ${entry} -> ${shownPath(path.resolve(opts.output))} (${r.steps} step${r.steps === 1 ? '' : 's'}, ${r.status})\n`);
  return exitCodeFor('ok');
}
