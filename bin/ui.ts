/**
 * `wippy ui [PATH] [--db FILE] [--port N] [--host H]`: serve the web UI over a workflow store until
 * Ctrl-C (app/ui), and `--ui [PORT]` of `wippy run` (the same UI beside the running instance).
 *
 * Owns: the options (a port is 0..65535; the host is loopback unless --host says otherwise), the
 * lines printed (the URL on stderr, with its token when one is needed, and the warning when the UI
 * is reachable from other machines), and waiting for the signal. Exit status: 0 stopped by
 * Ctrl-C; 1 the port cannot be had or the store cannot be read; 2 bad usage; 4 the store is
 * damaged.
 */
import { Command, InvalidArgumentError } from 'commander';
import { exitCodeFor } from '../base/exit';
import { exitOnUsageError } from './usage-exit';
import type { RunningUi, UiOptions } from '../app/ui';

export const DEFAULT_UI_PORT = 8290;
export const DEFAULT_UI_HOST = '127.0.0.1';

export interface UiCommandOptions { db?: string; port?: number; host?: string }

export function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535 (0 picks a free one)');
  return n;
}

export function addUiCommand(program: Command): void {
  program
    .command('ui')
    .description('Serve a web view of the workflows in a store: list, timelines, lanes, actions, goldens.')
    .argument('[path]', 'the registry (for Lua sources, golden files and starting workflows); its temporal.client names the store')
    .option('--db <file|url>', 'the workflow store (SQLite file or postgres:// URL); default: WIPPY_DB, else the registry\'s temporal.client store')
    .option('--port <n>', `port to listen on (default ${DEFAULT_UI_PORT}; 0 picks a free one)`, parsePort)
    .option('--host <address>', `address to listen on (default ${DEFAULT_UI_HOST}); any other than loopback needs the token printed in the URL`)
    .exitOverride(exitOnUsageError)
    .addHelpText('after', `
Works beside a running \`wippy run\` (it reads the store without its lock; its actions are the
durable requests of \`wippy workflow signal|cancel|terminate|start\`). \`wippy run PATH --ui [PORT]\`
serves the same page from the running instance.
Exit status: 0 stopped with Ctrl-C; 1 the port or the store cannot be had; 2 bad usage; 4 the store is damaged.
Example:
  wippy ui examples/workflows --port 8290`)
    .action(async (p: string | undefined, opts: UiCommandOptions) => {
      process.exitCode = await uiCommand(p, opts);
    });
}

/** Print where the UI is (and the warning when it is not loopback only). */
export function announce(ui: RunningUi, what: string): void {
  if (!ui.server.loopback) {
    process.stderr.write('wippy ui: warning: serving on a non-loopback address: anyone who can reach it and has the token below can read the store and steer its workflows\n');
  }
  process.stderr.write(`wippy ui: ${what} at ${ui.server.url}\n`);
}

export async function startUiFor(o: UiOptions): Promise<RunningUi> {
  const { startUi } = await import('../app/ui');
  return startUi(o);
}

async function uiCommand(registryPath: string | undefined, opts: UiCommandOptions): Promise<number> {
  const ui = await startUiFor({
    choice: { db: opts.db, registry: registryPath },
    registryPath,
    host: opts.host ?? DEFAULT_UI_HOST,
    port: opts.port ?? DEFAULT_UI_PORT,
  });
  announce(ui, `serving ${ui.storeLabel}`);
  process.stderr.write('wippy ui: Ctrl-C to stop\n');
  const keepAlive = setInterval(() => {}, 1 << 30);
  const sig = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  clearInterval(keepAlive);
  process.stderr.write(`wippy ui: ${sig} received; stopping\n`);
  await ui.close();
  return exitCodeFor('ok');
}
