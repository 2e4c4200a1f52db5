/**
 * Recording plans: what `wippy test --update` and `wippy test --record` hand to record.ts.
 *
 * Owns: turning a golden file into a re-recording plan (its input, start time, workflow id and
 * worker; its calls with their results and failed attempts; its sends, spawns (with the child's
 * result) and child cancels with their outcomes; its uuids; its signals, cancel requests and termination
 * with the position at which they arrived), and parsing the `--stub`, `--signal` and `--input`
 * command-line values. Invariants: payload text is normalised to the codec's compact form, so a
 * recorded golden round-trips exactly; a malformed value is a WippyError(BAD_ARGUMENT) that names
 * the option and shows the expected form.
 */
import { compact, parseRaw } from './rawjson';
import { isCommand, type RecordOf } from '../../runtime/store/events';
import { WippyError, ErrorCode, notJsonError } from '../../base/errors';
import { commandLineTextProblem, parsedPayloadProblem } from '../../lua/limits';
import type { GoldenFile } from './format';
import type { External, RecordPlan, RecordedCall, RecordedStep } from './record';
import type { Registry } from '../../registry/types';
import type { CallResult, Payload } from '../../base/payload';

/** The workflow id of a recording that has none yet (`--record`, or an old golden). */
export function defaultWorkflowId(entry: string): string {
  return `golden:${entry}`;
}

/** Flags written into goldens made by `wippy test --record`. */
export const RECORD_FLAGS = { recorded_by: 'wippy test --record', virtual_time: true };

/** A plan that re-runs a golden's workflow with its recorded answers (see record.ts). */
export function planFromGolden(g: GoldenFile, registry: Registry): RecordPlan {
  const started = g.history[0] as RecordOf<'started'>;
  const done = new Map<number, RecordOf<'call_done'>>();
  const failures = new Map<number, Array<RecordOf<'attempt_failed'>>>();
  const children = new Map<number, RecordOf<'child_done'>>();
  for (const r of g.history) {
    if (r.type === 'call_done') done.set(r.of, r);
    if (r.type === 'child_done') children.set(r.of, r);
    if (r.type === 'attempt_failed') failures.set(r.of, [...(failures.get(r.of) ?? []), r]);
  }
  const calls: RecordedCall[] = [];
  const kept: RecordedStep[] = [];
  const uuids: { 1: string[]; 4: string[]; 7: string[] } = { 1: [], 4: [], 7: [] };
  const randoms: RecordOf<'random'>[] = [];
  const externals: External[] = [];
  let commands = 0;
  let events = 0;
  for (const r of g.history) {
    const when = { afterCommands: commands, afterEvents: events };
    if (isCommand(r)) commands++;
    switch (r.type) {
      case 'call': {
        const d = done.get(r.cmd);
        // A call still running when the history was taken has no result: it runs for real.
        if (d) calls.push({ fn: r.fn, args: r.args, result: d.error ? { error: d.error } : { value: d.value ?? 'null' }, at: d.at, attempts: d.attempts ?? 1, failures: failures.get(r.cmd) });
        break;
      }
      case 'send': case 'cancel_child': kept.push({ rec: r }); break;
      case 'spawn': kept.push({ rec: r, ...(children.has(r.cmd) ? { child: children.get(r.cmd) } : {}) }); break;
      case 'uuid': uuids[r.version].push(r.value); break;
      case 'random': randoms.push(r); break;
      case 'call_done': case 'timer_fired': case 'child_done': events++; break;
      case 'signal': externals.push({ kind: 'signal', topic: r.topic, from: r.from, payloads: r.payloads, at: r.at, when }); break;
      case 'cancel_requested': externals.push({ kind: 'cancel', from: r.from, reason: r.reason, at: r.at, when }); break;
      case 'terminated': externals.push({ kind: 'terminate', reason: r.reason, at: r.at, when }); break;
      default: break;
    }
  }
  const worker = registry.entries.get(started.worker)?.kind === 'temporal.worker' ? started.worker : undefined;
  return {
    entry: g.entry,
    input: g.input,
    startedAt: g.startedAt,
    workflowId: g.workflowId ?? defaultWorkflowId(g.entry),
    ...(worker ? { worker } : {}),
    calls,
    kept,
    uuids,
    randoms,
    externals,
  };
}

/** Compact codec text for a JSON value typed by a user; throws BAD_ARGUMENT naming `what`. */
export function jsonArg(text: string, what: string): Payload {
  const notText = commandLineTextProblem(text);
  if (notText) throw new WippyError(ErrorCode.BAD_ARGUMENT, `${what} ${notText}`);
  let v: unknown;
  let out: Payload;
  try {
    v = JSON.parse(text);
    out = compact(parseRaw(text));
  } catch {
    throw notJsonError(what, text);
  }
  const problem = parsedPayloadProblem(v);
  if (problem) throw new WippyError(ErrorCode.BAD_ARGUMENT, `${what} cannot be passed to Lua: ${problem}`);
  return out;
}

/** `app:fn=JSON` or `app:fn=error:Kind:message`. */
export function parseStub(spec: string): [string, CallResult] {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new WippyError(ErrorCode.BAD_ARGUMENT, `--stub ${spec}: expected FUNCTION_ID=JSON or FUNCTION_ID=error:Kind:message (e.g. --stub app.api:charge_card='{"id": "ch_1"}')`);
  const id = spec.slice(0, eq);
  const value = spec.slice(eq + 1);
  if (value.startsWith('error:')) {
    const m = /^error:([^:]+):(.*)$/s.exec(value);
    if (!m || !m[2]) throw new WippyError(ErrorCode.BAD_ARGUMENT, `--stub ${id}: an error stub is error:Kind:message (e.g. error:Unavailable:card service down)`);
    return [id, { error: { kind: m[1], message: m[2] } }];
  }
  return [id, { value: jsonArg(value, `--stub ${id}`) }];
}

/** `TOPIC=JSON` (one payload) or `TOPIC` (no payload), delivered when the workflow waits on it. */
export function parseSignal(spec: string): External {
  const eq = spec.indexOf('=');
  const topic = eq < 0 ? spec : spec.slice(0, eq);
  if (!topic || topic.startsWith('@')) {
    throw new WippyError(ErrorCode.BAD_ARGUMENT, `--signal ${spec}: expected TOPIC=JSON (e.g. --signal approved='{"by": "ann"}'); topics starting with @ are reserved`);
  }
  const payloads = eq < 0 ? [] : [jsonArg(spec.slice(eq + 1), `--signal ${topic}`)];
  return { kind: 'signal', topic, from: '', payloads, when: 'inbox' };
}
