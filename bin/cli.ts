/**
 * The `wippy` command line: commander wiring only.
 *
 * Every command's work lives in runtime/ or registry/; this file parses options, calls them, and
 * maps outcomes to output and exit status (runtime/errors.ts decides the status). Heavy modules
 * are required lazily so that `wippy --help` starts fast. Invariants: a user mistake prints one
 * clear message without a JS stack; a bug prints "internal error" with the stack and exits 70.
 */
import { Command } from 'commander';
import type { RunOptions } from './run';

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
    .option('--db <file>', 'SQLite store for durable workflows (overrides temporal.client store)')
    .option('--virtual-time', 'when everything waits only on timers, jump the clock to the next timer')
    .option('--budget <instructions>', 'Lua instructions one activation may run before it is stopped', parsePositiveInt)
    .addHelpText('after', `
Exit status: 0 success; 1 the entry failed (error on stderr); 2 bad registry or arguments.
Examples:
  wippy run examples/hello -x app:greet '"world"'
  wippy run registry.yaml -x app.api:charge '{"amount": 10}'`)
    .action(async (p: string, args: string[], opts: RunOptions) => {
      const { runCommand } = await import('./run');
      process.exitCode = await runCommand(p, args, opts);
    });

  return program;
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
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const { reportFailure } = await import('./report');
    process.exitCode = reportFailure(e);
  }
  const code = process.exitCode ?? 0;
  // Exit once output is flushed, even if a timer or a stray task is still pending.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(Number(code))));
}
