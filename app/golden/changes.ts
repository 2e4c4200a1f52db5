/**
 * What a re-recording changed: the steps whose recorded outcome differs between a golden's old
 * history and its re-recorded one (`wippy test --update` lists them, whatever kind they are).
 *
 * Owns: pairing the steps of two histories of one workflow and comparing their outcomes. A step's
 * outcome is what the workflow got back: a call's result or error (from its call_done), a spawn's
 * refusal or its child's result, a send's or child cancel's delivery or error, a uuid's or random's value, a
 * version's number, whether a timer fired; and the workflow's own end. Pairing: each new step
 * takes the earliest unpaired old step that is the same operation with the same arguments, else
 * the earliest unpaired one of the same kind and target (arguments changed); steps with no pair
 * are new or removed, which the replay report already says, so they are not listed here.
 * Invariants: pure, no I/O; one line per changed step, naming the step, its Lua line, and
 * `old -> new`.
 */
import { describeCommand, matchCommand } from '../../runtime/engine/matcher';
import { isCommand, isEnd } from '../../runtime/store/events';
import type { CommandRecord, HistoryRecord } from '../../runtime/store/events';
import type { ErrorInfo } from '../../base/errors';

const errorText = (e: ErrorInfo) => `error ${e.kind}: ${e.message}`;

/** The outcome of every command, by command number. */
function outcomes(h: HistoryRecord[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const r of h) {
    switch (r.type) {
      case 'call': out.set(r.cmd, 'no result'); break;
      case 'timer': out.set(r.cmd, 'not fired'); break;
      case 'spawn': out.set(r.cmd, r.error ? errorText(r.error) : 'the child has not finished'); break;
      case 'send': case 'cancel_child': out.set(r.cmd, r.error ? errorText(r.error) : 'delivered'); break;
      case 'uuid': out.set(r.cmd, r.value); break;
      case 'random': out.set(r.cmd, `base64:${r.value}`); break;
      case 'version': out.set(r.cmd, String(r.version)); break;
      case 'call_done': out.set(r.of, r.error ? errorText(r.error) : r.value ?? 'null'); break;
      case 'timer_fired': out.set(r.of, 'fired'); break;
      case 'child_done': out.set(r.of, `child ${r.error ? errorText(r.error) : `result ${r.value ?? 'null'}`}`); break;
      default: break;
    }
  }
  return out;
}

function endOf(h: HistoryRecord[]): string {
  const end = h.find(isEnd);
  return end ? describeCommand(end).replace(/^workflow /, '') : 'unfinished';
}

/** One line per step (and for the end) whose outcome differs between `before` and `after`. */
export function changedOutcomes(before: HistoryRecord[], after: HistoryRecord[]): string[] {
  const olds = before.filter(isCommand);
  const news = after.filter(isCommand);
  const pairOf = new Map<CommandRecord, CommandRecord>();
  const taken = new Set<CommandRecord>();
  const pick = (n: CommandRecord, same: (o: CommandRecord) => boolean) => {
    const o = olds.find((x) => !taken.has(x) && same(x));
    if (o) { taken.add(o); pairOf.set(n, o); }
  };
  for (const n of news) pick(n, (o) => matchCommand(o, n, 0) === null);
  for (const n of news) {
    if (!pairOf.has(n)) pick(n, (o) => { const d = matchCommand(o, n, 0); return d !== null && d.tier === 'arguments'; });
  }
  const was = outcomes(before);
  const now = outcomes(after);
  const lines: string[] = [];
  for (const n of news) {
    const o = pairOf.get(n);
    if (!o || n.type === 'timer_cancel') continue;
    const a = was.get(o.cmd);
    const b = now.get(n.cmd);
    if (a !== b) lines.push(`step ${n.cmd} ${describeCommand(n)}  at ${n.line || '?'}: ${a} -> ${b}`);
  }
  const [e0, e1] = [endOf(before), endOf(after)];
  if (e0 !== e1) lines.push(`the workflow's end: ${e0} -> ${e1}`);
  return lines;
}
