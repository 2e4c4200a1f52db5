/**
 * Peer comparison (issue 7): runs the separate peer runner `node bench/peers/run.mjs` (DBOS
 * Transact on PostgreSQL, Restate; its own package.json and node_modules) as a child process,
 * alone on the machine (our own workloads run before it, never beside it), and compares our
 * durable steps/s (1,000 x 10 steps) and our 3-step p50 with each peer's figures on the same
 * workloads.
 *
 * The runner prints one JSON object: `{dbos: {throughput: {stepsPerSecond, ...}, latency3:
 * {p50ms, p99ms, ...}} | {error}, restate: same, notes: [...]}`. Targets: our steps/s >= 5x each
 * peer's; our p50 <= 1/5 of the faster peer's p50.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';

export interface PeerFigures {
  throughput?: { stepsPerSecond: number; [k: string]: unknown };
  latency3?: { p50ms: number; p99ms?: number; [k: string]: unknown };
  error?: string;
  [k: string]: unknown;
}

export interface PeersReport {
  /** Arguments given to the runner (smaller workloads with --quick). */
  args?: string[];
  /** Why nothing was measured (not installed, runner failed); the rest is then absent. */
  skipped?: string;
  seconds?: number;
  raw?: Record<string, unknown>;
  notes?: unknown[];
}

export const PEERS_DIR = path.resolve(__dirname, '../../bench/peers');

/** Spawn the runner and parse its JSON; never throws (a failure is reported as `skipped`). */
export function runPeers(args: string[] = [], timeoutMs = 45 * 60_000): Promise<PeersReport> {
  if (!fs.existsSync(path.join(PEERS_DIR, 'node_modules'))) {
    return Promise.resolve({ skipped: 'peers not installed: run `npm --prefix bench/peers ci` to compare with DBOS and Restate' });
  }
  const script = path.join(PEERS_DIR, 'run.mjs');
  if (!fs.existsSync(script)) return Promise.resolve({ skipped: `peers: ${script} does not exist yet` });
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: PEERS_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); process.stderr.write(b); });
    const timer = setTimeout(() => { child.kill('SIGTERM'); setTimeout(() => child.kill('SIGKILL'), 10_000).unref(); }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); resolve({ skipped: `peers: could not run ${script}: ${e.message}` }); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - t0) / 1000;
      const raw = parseLastJson(out);
      if (!raw) {
        const why = signal ? `killed by ${signal}${Date.now() - t0 >= timeoutMs ? ' (timeout)' : ''}` : `exit ${code}`;
        resolve({ skipped: `peers: the runner printed no JSON (${why}); stderr tail: ${err.trim().split('\n').slice(-3).join(' | ')}`, seconds });
        return;
      }
      resolve({ args, seconds, raw, notes: Array.isArray(raw.notes) ? raw.notes : undefined });
    });
  });
}

/** The whole stdout as JSON, else its last line that parses as a JSON object. */
function parseLastJson(text: string): Record<string, unknown> | null {
  const tryParse = (s: string): Record<string, unknown> | null => {
    try { const v = JSON.parse(s); return v && typeof v === 'object' && !Array.isArray(v) ? v : null; } catch { return null; }
  };
  const whole = tryParse(text.trim());
  if (whole) return whole;
  const lines = text.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) { const v = tryParse(lines[i].trim()); if (v) return v; }
  return null;
}

export interface PeerComparison {
  peer: string;
  error?: string;
  stepsPerSecond?: number;
  p50ms?: number;
  /** ours / theirs (target >= 5). */
  throughputRatio?: number;
  /** our p50 / their p50 (target <= 0.2 against the faster peer). */
  p50Ratio?: number;
}

/** Ratios of our figures (when measured) to each peer's. */
export function comparePeers(raw: Record<string, unknown>, ours: { stepsPerSecond?: number; p50ms?: number }): PeerComparison[] {
  const out: PeerComparison[] = [];
  for (const [peer, v] of Object.entries(raw)) {
    if (peer === 'notes' || !v || typeof v !== 'object' || Array.isArray(v)) continue;
    const f = v as PeerFigures;
    if (f.error) { out.push({ peer, error: String(f.error) }); continue; }
    const sps = f.throughput?.stepsPerSecond;
    const p50 = f.latency3?.p50ms;
    out.push({
      peer,
      stepsPerSecond: sps,
      p50ms: p50,
      throughputRatio: sps && ours.stepsPerSecond ? ours.stepsPerSecond / sps : undefined,
      p50Ratio: p50 && ours.p50ms ? ours.p50ms / p50 : undefined,
    });
  }
  return out;
}
