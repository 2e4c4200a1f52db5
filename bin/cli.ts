/**
 * The `wippy` command line: commander wiring only.
 *
 * Every command's work lives in runtime/ or registry/; this file parses options, calls them, and
 * maps outcomes to output and exit status (base/errors.ts decides the status). Heavy modules
 * are required lazily so that `wippy --help` starts fast. Invariants: a user mistake prints one
 * clear message without a JS stack; a bug prints "internal error" with the stack and exits 70.
 */
import { exitCodeFor } from '../base/exit';
import { Command } from 'commander';
import type { RunOptions } from './run';
import { addGoldenCommands } from './golden-commands';
import { addStoreCommands } from './store-commands';
import { exitOnUsageError } from './usage-exit';
import { addUiCommand, parsePort, DEFAULT_UI_PORT } from './ui';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('wippy')
    .description('Run Lua code declared in a YAML registry: functions, processes and durable workflows.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (str, write) => write(str) });

  program
    .command('run')
    .description('Load a registry and run it: with -x, run one entry to completion and print its result as the last line of stdout (JSON).')
    .argument('<path>', 'registry: a YAML file, or a folder scanned recursively for *.yaml / *.yml')
    .argument('[args...]', 'arguments for the -x entry, one JSON value each (strings need quotes: \'"hello"\')')
    .option('-x, --exec <entry>', 'run this entry (ns:name) with the given arguments and exit; its result is printed as JSON')
    .option('--db <file|url>', 'store for durable workflows: a SQLite file or postgres://user@host:port/db (overrides WIPPY_DB and the temporal.client store)')
    .option('--virtual-time', 'when everything waits only on timers, jump the clock to the next timer')
    .option('--budget <instructions>', 'Lua instructions one activation may run before it is stopped', parsePositiveInt)
    .option('--max-memory <MiB>', 'heap growth one activation of a script may cause before it is stopped (default 512)', parsePositiveInt)
    .option('--type-check', 'check the typed Lua at load and refuse to start on a type error (default: .wippy.yaml lua.type_system)')
    .option('--ui [port]', `serve the web UI (wippy ui) beside this run on 127.0.0.1, port ${DEFAULT_UI_PORT} or PORT (0: a free one)`, parsePort)
    .option('--node-id <id>', 'on a PostgreSQL store: this node\'s id (default: the host name and 6 random hex digits, printed at start)')
    .option('--lease <duration>', 'on a PostgreSQL store: how long this node owns its workflows without renewing (default 5s)', parseDurationOption)
    .option('--lease-renew <duration>', 'on a PostgreSQL store: how often the lease is renewed (default 1s; less than --lease)', parseDurationOption)
    .addHelpText('after', `
Exit status: 0 success; 1 the entry failed (error on stderr); 2 bad registry or arguments;
3 the workflow was parked; 4 the store is damaged (see wippy store check).
Examples:
  wippy run examples/hello -x app:greet '"world"'
  wippy run registry.yaml -x app.api:charge '{"amount": 10}'
  wippy run examples/workflows --ui          # services, with the web UI on http://127.0.0.1:${DEFAULT_UI_PORT}/`)
    .action(async (p: string, args: string[], opts: RunOptions) => {
      const { runCommand } = await import('./run');
      process.exitCode = await runCommand(p, args, opts);
    });

  program
    .command('check')
    .description('Check a registry as loading does (YAML, entries, Lua syntax, and types, always on here) without running anything.')
    .argument('[path]', 'registry: a YAML file or a folder (default: the current folder)')
    .option('--json', 'print {ok, errors, warnings}, each item with file, line, column, entry, field, message')
    .addHelpText('after', `
Exit status: 0 no error (warnings allowed); 2 at least one error.
Example:
  wippy check examples/workflows`)
    .action(async (p: string | undefined, opts: { json?: boolean }) => {
      process.exitCode = (await import('./check')).checkCommand(p, opts);
    });

  addWorkflowCommands(program);
  addGoldenCommands(program);
  addStoreCommands(program);
  addUiCommand(program);

  return program;
}

/** `wippy workflow ...`: every subcommand takes --db / --registry to pick the store. */
function addWorkflowCommands(program: Command): void {
  const wf = program
    .command('workflow')
    .description('Inspect and steer the durable workflows in a store (also while `wippy run` runs them).')
    // Usage mistakes (missing argument, unknown option) exit 2 here, as documented below; 1 means
    // the workflow was not found or has finished. Subcommands inherit this.
    .exitOverride(exitOnUsageError)
    .addHelpText('after', `
The store: --db FILE|URL, else $WIPPY_DB, else the temporal.client store of the registry at --registry PATH,
else of the registry found from the current folder (the project's, the one below, or one in a folder above).
An ID may be a workflow id, its PID ({client@worker|id}) or a unique prefix of the id.
Exit status: 0 done; 1 no such workflow, it has finished, or the store cannot be read; 2 bad usage;
4 the store is damaged (every command runs SQLite's full integrity check first).`);
  const store = (c: Command): Command => c
    .option('--db <file|url>', 'the workflow store (SQLite file or postgres:// URL)')
    .option('--registry <path>', 'registry whose temporal.client names the store (default: found from the current folder)');
  const load = () => import('./workflow');

  store(wf.command('list'))
    .description('List workflows, oldest first: id, entry, status, last update, error or park reason.')
    .option('--status <list>', 'only these statuses, comma-separated: running, completed, failed, canceled, terminated, parked')
    .option('--json', 'print an array of {id, entry, status, worker, parent, created_at, updated_at, virtual_time, workflow_created_at, workflow_updated_at}')
    .action(async (opts) => { process.exitCode = await (await load()).listCommand(opts); });

  store(wf.command('show'))
    .description('Show one workflow: status, input, result or error, and the park report when parked.')
    .argument('<id>', 'workflow id')
    .option('--json', 'print one object: id, entry, status, result, error, parked, input, history_length, ...')
    .action(async (id: string, opts) => { process.exitCode = await (await load()).showCommand(id, opts); });

  store(wf.command('history'))
    .description('Print the history as a timeline: index, time since start, what happened, and the Lua line of each step.')
    .argument('<id>', 'workflow id')
    .option('--json', 'print the raw history records')
    .action(async (id: string, opts) => { process.exitCode = await (await load()).historyCommand(id, opts); });

  store(wf.command('signal'))
    .description('Send a durable signal: a running `wippy run` delivers it within a moment, else the next one at start.')
    .argument('<id>', 'workflow id')
    .argument('<topic>', 'signal topic (topics starting with @ are reserved)')
    .argument('[payloads...]', 'payloads, one JSON value each (strings need quotes: \'"yes"\')')
    .option('--no-wait', 'do not wait for a running `wippy run` to take the signal')
    .addHelpText('after', `
Example:
  wippy workflow signal 0193d2a1 approved '{"by": "ann"}' --registry examples/workflows`)
    .action(async (id: string, topic: string, payloads: string[], opts) => {
      process.exitCode = await (await load()).signalCommand(id, topic, payloads, opts);
    });

  store(wf.command('start'))
    .description('Start a workflow: recorded in the store; a running `wippy run` starts it within a second, else the next one at start.')
    .argument('<entry>', 'the workflow.lua entry (ns:name)')
    .argument('[args...]', 'its input, one JSON value each (strings need quotes: \'"o-1"\')')
    .option('--id <id>', 'the workflow id (default: a new UUIDv7); refused when a workflow has it')
    .option('--wait', 'wait for the workflow to end and print its result as the last stdout line (exit 1 failed, 3 parked)')
    .addHelpText('after', `
Without --wait, stdout is the workflow id. Example:
  wippy workflow start app.workflows:payment '{"amount": 42}' --registry examples/workflows --wait`)
    .action(async (entry: string, args: string[], opts) => {
      process.exitCode = await (await import('./workflow-start')).startCommand(entry, args, opts);
    });

  store(wf.command('export'))
    .description('Write the workflow\'s history as a golden file (see `wippy replay` and `wippy test`).')
    .argument('<id>', 'workflow id')
    .option('-o, --output <file>', 'the golden file to write (default: stdout)')
    .addHelpText('after', `
Example:
  wippy workflow export 0193d2a1 -o tests/order.golden.json && wippy replay tests/order.golden.json`)
    .action(async (id: string, opts) => { process.exitCode = await (await load()).exportCommand(id, opts); });

  for (const kind of ['cancel', 'terminate'] as const) {
    store(wf.command(kind))
      .description(kind === 'cancel'
        ? 'Ask a workflow to stop: it receives a pid.cancel event and decides how to end (durable, like signal).'
        : 'End a workflow now, without running any more of its code (durable, like signal); also ends a parked workflow.')
      .argument('<id>', 'workflow id')
      .option('--reason <text>', `why (recorded in the history${kind === 'cancel' ? ' and given to the workflow' : ''})`)
      .option('--no-wait', 'do not wait for a running `wippy run` to take the request')
      .action(async (id: string, opts) => { process.exitCode = await (await load()).controlCommand(kind, id, opts); });
  }
}

function parseDurationOption(v: string): number {
  const { parseDuration } = require('../base/duration') as typeof import('../base/duration');
  let ms: number;
  try { ms = parseDuration(v); } catch (e) { throw new (require('commander').InvalidArgumentError)((e as Error).message); }
  if (ms <= 0) throw new (require('commander').InvalidArgumentError)('expected a duration above zero, e.g. 5s or 500ms');
  return ms;
}

function parsePositiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) {
    // commander turns this into a one-line usage error
    throw new (require('commander').InvalidArgumentError)('expected a positive integer');
  }
  return n;
}

export async function main(argv: string[]): Promise<void> {
  // A failure outside the command's own promise (e.g. the store cannot be written during a
  // commit) still gets one clear line for user-facing errors and exits non-zero.
  process.on('uncaughtException', (e) => {
    void import('./report').then(({ reportFailure }) => {
      const code = reportFailure(e);
      process.stderr.write('', () => process.exit(code));
    });
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const { reportFailure } = await import('./report');
    process.exitCode = reportFailure(e);
  }
  const code = process.exitCode ?? exitCodeFor('ok');
  // Exit once output is flushed, even if a timer or a stray task is still pending.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(Number(code))));
}
