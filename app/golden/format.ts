/**
 * The golden file format (`*.golden.json`): a workflow's recorded history as readable, stable,
 * diff-friendly JSON. Documented in docs/golden.md.
 *
 * Shape: `{format, entry, workflow_id?, input, started_at, flags, history: [record...]}`. The
 * workflow id is kept because the code can observe it (math.random's seed, process.pid(),
 * workflow.info()), so replay must use the same one. Each record is the history record with its
 * payloads shown as JSON values (not strings), its times (`at`, and the `due` of a failed
 * attempt) as offsets from the start (`"at": "+24h0m0s"`), and no signal ids. Keys are sorted,
 * except inside payloads, which keep the order the Lua program produced (Lua iteration order
 * depends on it).
 * Invariant: `fromGolden(toGolden(h))` gives back records equal to `h` (payload texts identical,
 * times identical to the millisecond), so a golden replays exactly like the store it came from.
 */
import { formatDuration, parseDuration } from '../../base/duration';
import { compact, parseRaw, pretty, RawValue, RawObject, RawNumber } from './rawjson';
import type { HistoryRecord, RecordOf } from '../../runtime/store/events';
import type { Payload } from '../../base/payload';
import { WippyError, ErrorCode } from '../../base/errors';

export const GOLDEN_FORMAT = 'wippy-golden/1';

export interface GoldenFile {
  entry: string;
  /** The recorded workflow's id (absent in files written without one: replay then uses its own). */
  workflowId?: string;
  input: Payload[];
  /** ms since the epoch of the `started` record. */
  startedAt: number;
  flags: Record<string, unknown>;
  history: HistoryRecord[];
}

/** Fields that hold payload text, by record type (a list field holds one payload per item). */
const PAYLOAD_FIELDS: Partial<Record<HistoryRecord['type'], { one?: string[]; many?: string[] }>> = {
  call: { many: ['args'] },
  call_done: { one: ['value'] },
  spawn: { many: ['args'] },
  send: { many: ['payloads'] },
  child_done: { one: ['value'] },
  signal: { many: ['payloads'] },
  completed: { one: ['value'] },
};

/** Marker for a field already rendered as text (a payload). */
class Rendered { constructor(readonly raw: RawValue) {} }

function offset(at: number, start: number): string {
  return `+${formatDuration(Math.max(0, at - start))}`;
}

function toGoldenRecord(r: HistoryRecord, start: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const pf = PAYLOAD_FIELDS[r.type] ?? {};
  for (const [k, v] of Object.entries(r)) {
    if (v === undefined) continue;
    if (r.type === 'started' && (k === 'input' || k === 'at')) continue;
    if (r.type === 'signal' && k === 'signal') continue;
    if (k === 'at' || k === 'due') out[k] = offset(v as number, start);
    else if (pf.one?.includes(k)) out[k] = new Rendered(parseRaw(v as string));
    else if (pf.many?.includes(k)) out[k] = (v as string[]).map((p) => new Rendered(parseRaw(p)));
    else out[k] = v;
  }
  return out;
}

/** Serialise structural JSON with sorted keys; Rendered payloads keep their own order. */
function write(v: unknown, indent: string): string {
  if (v instanceof Rendered) return pretty(v.raw, indent);
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    // Children are written once (at the inner indent either way): re-writing them per layout
    // would double the work at every level.
    const items = v.map((x) => write(x, inner));
    const oneLine = `[${items.join(', ')}]`;
    if (oneLine.length <= 80 && !oneLine.includes('\n')) return oneLine;
    return `[\n${items.map((x) => inner + x).join(',\n')}\n${indent}]`;
  }
  const keys = Object.keys(v as object).sort();
  if (keys.length === 0) return '{}';
  const o = v as Record<string, unknown>;
  const fields = keys.map((k) => `${JSON.stringify(k)}: ${write(o[k], inner)}`);
  const oneLine = `{${fields.join(', ')}}`;
  if (oneLine.length <= 100 && !oneLine.includes('\n')) return oneLine;
  return `{\n${fields.map((f) => inner + f).join(',\n')}\n${indent}}`;
}

/** Golden text for a history (its first record must be `started`); pass the workflow's id. */
export function toGolden(history: HistoryRecord[], flags: Record<string, unknown> = {}, meta: { workflowId?: string } = {}): string {
  const started = history[0] as RecordOf<'started'>;
  if (!started || started.type !== 'started') throw new Error('toGolden: the history does not begin with a started record');
  const doc = {
    format: GOLDEN_FORMAT,
    entry: started.entry,
    ...(meta.workflowId !== undefined ? { workflow_id: meta.workflowId } : {}),
    input: started.input.map((p) => new Rendered(parseRaw(p))),
    started_at: new Date(started.at).toISOString(),
    flags,
    history: history.map((r) => toGoldenRecord(r, started.at)),
  };
  return `${write(doc, '')}\n`;
}

/** A golden file cannot be parsed; the message names the file and the field. */
export class GoldenError extends WippyError {
  constructor(message: string) {
    super(ErrorCode.GOLDEN_INVALID, message);
    this.name = 'GoldenError';
  }
}

/** Parse golden text. Throws GoldenError naming the record and field on malformed input. */
export function fromGolden(text: string, name = 'golden file'): GoldenFile {
  let raw: RawValue;
  try { raw = parseRaw(text); } catch (e) { throw new GoldenError(`${name}: ${(e as Error).message}`); }
  if (!(raw instanceof RawObject)) throw new GoldenError(`${name}: expected a JSON object`);
  const top = new Map(raw.entries);
  const str = (k: string): string => {
    const v = top.get(k);
    if (typeof v !== 'string') throw new GoldenError(`${name}: field '${k}' must be a string`);
    return v;
  };
  const format = str('format');
  if (format !== GOLDEN_FORMAT) throw new GoldenError(`${name}: unknown format '${format}' (this wippy reads ${GOLDEN_FORMAT})`);
  const entry = str('entry');
  const wid = top.get('workflow_id');
  if (wid !== undefined && typeof wid !== 'string') throw new GoldenError(`${name}: field 'workflow_id' must be a string`);
  const startedAt = Date.parse(str('started_at'));
  if (Number.isNaN(startedAt)) throw new GoldenError(`${name}: started_at is not an ISO time`);
  const inputRaw = top.get('input');
  if (!Array.isArray(inputRaw)) throw new GoldenError(`${name}: field 'input' must be an array`);
  const input = inputRaw.map(compact);
  const flags = plain(top.get('flags') ?? new RawObject([])) as Record<string, unknown>;
  const hist = top.get('history');
  if (!Array.isArray(hist)) throw new GoldenError(`${name}: field 'history' must be an array`);
  const history = hist.map((r, i) => fromGoldenRecord(r, i, startedAt, input, name));
  if (history[0]?.type !== 'started') throw new GoldenError(`${name}: history[0] must be the started record`);
  return { entry, ...(wid !== undefined ? { workflowId: wid } : {}), input, startedAt, flags, history };
}

function fromGoldenRecord(r: RawValue, i: number, start: number, input: Payload[], name: string): HistoryRecord {
  if (!(r instanceof RawObject)) throw new GoldenError(`${name}: history[${i}] must be an object`);
  const out: Record<string, unknown> = {};
  const fields = new Map(r.entries);
  const type = fields.get('type');
  if (typeof type !== 'string') throw new GoldenError(`${name}: history[${i}] has no type`);
  const pf = PAYLOAD_FIELDS[type as HistoryRecord['type']] ?? {};
  for (const [k, v] of fields) {
    if (k === 'at' || k === 'due') {
      if (typeof v !== 'string' || !v.startsWith('+')) throw new GoldenError(`${name}: history[${i}].${k} must look like "+1.5s"`);
      try { out[k] = start + parseDuration(v.slice(1), k); } catch (e) { throw new GoldenError(`${name}: history[${i}].${k}: ${(e as Error).message}`); }
    } else if (pf.one?.includes(k)) out[k] = compact(v);
    else if (pf.many?.includes(k)) {
      if (!Array.isArray(v)) throw new GoldenError(`${name}: history[${i}].${k} must be an array`);
      out[k] = v.map(compact);
    } else out[k] = plain(v);
  }
  if (type === 'started') { out.at = start; out.input = input; }
  if (type === 'signal' && out.signal === undefined) out.signal = 0;
  const need = REQUIRED[type as HistoryRecord['type']];
  if (!need) throw new GoldenError(`${name}: history[${i}] has an unknown type '${type}'`);
  for (const f of need.split(' ')) {
    const [k, t] = f.split(':');
    const v = out[k];
    const ok = t === 'array' ? Array.isArray(v) : t === 'object' ? v !== null && typeof v === 'object' : typeof v === t;
    if (!ok) throw new GoldenError(`${name}: history[${i}] (${type}) needs '${k}' (${t === 'number' && (k === 'at' || k === 'due') ? 'a time like "+1s"' : t})`);
  }
  return out as unknown as HistoryRecord;
}

/**
 * Fields every record type must carry (`name:type`), checked on read so that a hand edit that
 * breaks a record is named instead of failing obscurely during replay. `line` is optional.
 */
const REQUIRED: Record<HistoryRecord['type'], string> = {
  started: 'entry:string worker:string',
  completed: 'at:number value:string',
  failed: 'at:number error:object',
  terminated: 'at:number reason:string',
  call: 'cmd:number fn:string args:array',
  timer: 'cmd:number ms:number',
  timer_cancel: 'cmd:number of:number',
  uuid: 'cmd:number version:number value:string',
  random: 'cmd:number fn:string bytes:number value:string',
  spawn: 'cmd:number entry:string child:string args:array wait:boolean',
  send: 'cmd:number to:string topic:string payloads:array',
  cancel_child: 'cmd:number to:string terminate:boolean',
  version: 'cmd:number change:string version:number',
  call_done: 'of:number at:number',
  timer_fired: 'of:number at:number',
  child_done: 'of:number at:number child:string',
  signal: 'at:number topic:string from:string payloads:array',
  cancel_requested: 'at:number from:string reason:string',
  attempt_failed: 'of:number at:number attempt:number error:object due:number',
};

/** A structural (non-payload) value as plain JS. */
function plain(v: RawValue): unknown {
  if (v instanceof RawNumber) return Number(v.src);
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof RawObject) return Object.fromEntries(v.entries.map(([k, x]) => [k, plain(x)]));
  return v;
}
