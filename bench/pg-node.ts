/**
 * One node of the `postgres` bench's two-node figure (bench/postgres-nodes.ts runs two of these
 * as separate processes, as two machines would be): `node dist/bench/pg-node.js DIR URL NODE_ID
 * WORKFLOWS STEPS`. It joins the database as NODE_ID with the default lease, warms up with a
 * tenth of the load, prints `ready`, waits for a line on stdin, runs WORKFLOWS x STEPS durable
 * steps, and prints one JSON line: {seconds, cpuUs}.
 */
import * as readline from 'node:readline';
import { Runtime } from '../app/runtime';
import { durableThroughput } from './durable';

async function main(): Promise<void> {
  const [dir, url, id, workflows, steps] = process.argv.slice(2);
  const rt = Runtime.load(dir, { db: url, node: { id }, output: { print: () => {}, log: () => {} } });
  try {
    await durableThroughput(rt, Math.max(1, Math.floor(Number(workflows) / 10)), Number(steps));
    process.stdout.write('ready\n');
    const rl = readline.createInterface({ input: process.stdin });
    await new Promise<void>((resolve) => rl.once('line', () => resolve()));
    rl.close();
    const cpu0 = process.cpuUsage();
    const d = await durableThroughput(rt, Number(workflows), Number(steps));
    const cpu = process.cpuUsage(cpu0);
    process.stdout.write(`${JSON.stringify({ seconds: d.seconds, cpuUs: cpu.user + cpu.system })}\n`);
  } finally {
    rt.close();
  }
}

main().catch((e) => { process.stderr.write(`${(e as Error).stack ?? String(e)}\n`); process.exitCode = 1; });
