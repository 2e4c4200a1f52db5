// Owns the small numeric helpers: nearest-rank percentiles, rounding, and a monotonic clock.

/** Milliseconds from a monotonic clock. */
export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/** Nearest-rank percentile (p in 0..100) of an array of numbers. */
export function percentile(values, p) {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const round = (x, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The `throughput` object of the output contract (+ CPU used by every process of the peer). */
export function throughputResult(workflows, steps, ms, cpuSeconds) {
  const seconds = ms / 1000;
  return {
    workflows, steps, seconds: round(seconds), stepsPerSecond: round((workflows * steps) / seconds, 1),
    cpuSeconds: round(cpuSeconds), cpuMsPerStep: round((cpuSeconds * 1000) / (workflows * steps)),
  };
}

/** The `latency3` object of the output contract. */
export function latencyResult(samplesMs) {
  return { runs: samplesMs.length, p50ms: round(percentile(samplesMs, 50)), p99ms: round(percentile(samplesMs, 99)) };
}

/** Throw if any workflow returned something other than `expected`. */
export function checkResults(peer, results, expected) {
  const bad = results.findIndex((r) => r !== expected);
  if (bad >= 0) {
    throw new Error(`${peer}: workflow #${bad} returned ${JSON.stringify(results[bad])}, expected ${expected}`);
  }
}
