/**
 * The crash soak's external signals: each `order` workflow gets its signal ("ext", payload i)
 * once, from outside any `wippy run`, while the runs come and go.
 *
 * Owns: finding order workflows that have not had their signal yet (a reader of the store, opened
 * without the lock), and sending it: into the store as `wippy workflow signal` does, and every
 * n-th one through the real `wippy workflow signal --no-wait` command. Invariant: a workflow is
 * signalled at most once (`sent` is noted before the send), so the verifier can hold the store to
 * exactly one `ext` signal per order that was sent one.
 */
import * as fs from 'node:fs';
import { isPostgresUrl, openStore, type OpenedStore } from '../../runtime/store';
import type { WorkflowRow } from '../../runtime/store/events';
import { wippyAsync } from '../wippy';

/** Sends the external signal ("ext", payload i) to every order workflow, once. */
export class Signaller {
  /** Workflow id -> how its signal was sent. */
  readonly sent = new Map<string, 'store' | 'cli'>();
  readonly problems: string[] = [];
  private readonly cliPending = new Set<Promise<void>>();
  private reader: OpenedStore | null = null;
  private n = 0;

  /** `cliEvery`: every n-th signal goes through `wippy workflow signal` (0: never). */
  constructor(private readonly db: string, private readonly cliEvery: number) {}

  /** One pass: look for order workflows that have not had their signal yet. */
  tick(): void {
    if (!this.reader) {
      if (!isPostgresUrl(this.db) && !fs.existsSync(this.db)) return;
      try { this.reader = openStore(this.db, { lock: false, create: false }); } catch { return; }
    }
    let rows: WorkflowRow[];
    try { rows = this.reader.listWorkflows(['running']); } catch { return; }
    for (const row of rows) {
      if (row.entry !== 'soak:order' || this.sent.has(row.id)) continue;
      const i = row.input[0];
      this.n++;
      if (this.cliEvery > 0 && this.n % this.cliEvery === 0) {
        this.sent.set(row.id, 'cli');
        this.viaCli(row.id, i);
      } else {
        this.reader.addSignal({ workflowId: row.id, topic: 'ext', from: '', payloads: [i], at: Date.now() });
        this.sent.set(row.id, 'store');
      }
    }
  }

  private viaCli(id: string, payload: string): void {
    const p = wippyAsync(['workflow', 'signal', id, 'ext', payload, '--db', this.db, '--no-wait']).then((r) => {
      if (r.code !== 0) this.problems.push(`wippy workflow signal ${id} failed (exit ${r.code}): ${r.stderr.trim()}`);
    });
    this.cliPending.add(p);
    void p.then(() => this.cliPending.delete(p));
  }

  /** Wait for every `wippy workflow signal` still running. */
  async drain(): Promise<void> {
    await Promise.all([...this.cliPending]);
  }

  close(): void {
    this.reader?.close();
    this.reader = null;
  }
}
