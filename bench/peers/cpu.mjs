// Owns CPU accounting for the throughput window: CPU seconds (user + system) used by this
// process and by the peer's server processes (each with its descendants, e.g. PostgreSQL
// backends), read from /proc. On a shared, noisy machine CPU per step is steadier than wall time.

import fs from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

/** utime+stime+cutime+cstime of one pid, and its ppid; null if gone. */
function readStat(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
  } catch { return null; }
}

/** CPU seconds of the given root pids and all their descendants. */
function treeSeconds(rootPids) {
  const stats = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) stats.set(Number(name), s);
  }
  const children = new Map();
  for (const [pid, s] of stats) {
    if (!children.has(s.ppid)) children.set(s.ppid, []);
    children.get(s.ppid).push(pid);
  }
  let ticks = 0;
  const seen = new Set();
  const stack = rootPids.filter((p) => p && p !== process.pid);
  while (stack.length) {
    const pid = stack.pop();
    if (seen.has(pid) || !stats.has(pid)) continue;
    seen.add(pid);
    ticks += stats.get(pid).ticks;
    stack.push(...(children.get(pid) ?? []));
  }
  return ticks / TICKS;
}

/** Start measuring; call the returned function to get CPU seconds used since. */
export function cpuMeter(serverPids = []) {
  const self0 = process.cpuUsage();
  const other0 = treeSeconds(serverPids);
  return () => {
    const self = process.cpuUsage(self0);
    return (self.user + self.system) / 1e6 + (treeSeconds(serverPids) - other0);
  };
}
