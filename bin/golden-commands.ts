/**
 * Commander wiring for the golden-file commands: `wippy replay` and `wippy test`.
 *
 * Only options and help live here; bin/replay.ts and bin/test.ts print, app/golden does the
 * work. Loaded by bin/cli.ts; the command modules are imported lazily so `wippy --help` stays fast.
 */
import { exitOnUsageError } from './usage-exit';
import type { Command } from 'commander';

const collect = (v: string, acc: string[] | undefined): string[] => [...(acc ?? []), v];

export function addGoldenCommands(program: Command): void {
  program
    .command('replay')
    .exitOverride(exitOnUsageError)
    .description('Replay golden files (*.golden.json) against the current code, running no function: say whether each still matches.')
    .argument('<files...>', 'golden files')
    .option('--registry <path>', 'registry with the workflows: a YAML file or a folder', '.')
    .addHelpText('after', `
On the first divergence of a file it prints the step, the recorded and the attempted operation with
their arguments and Lua lines, what differs, and a short JSON diff for big values.
Exit status: 0 every file matches; 1 a file does not match; 2 bad registry, or a file that cannot be
read or is not a golden file (one line each).
Example:
  wippy replay examples/workflows/goldens/payment.golden.json --registry examples/workflows`)
    .action(async (files: string[], opts) => {
      const { replayCommand } = await import('./replay');
      process.exitCode = replayCommand(files, opts);
    });

  program
    .command('test')
    .exitOverride(exitOnUsageError)
    .description('Replay every golden file (*.golden.json) under the paths; print one line per file and "N passed, N failed" last.')
    .argument('[paths...]', 'files or folders to search (default: current folder; node_modules and dot-folders are skipped)')
    .option('--registry <path>', 'registry with the workflows: a YAML file or a folder', '.')
    .option('--update', 're-record each golden that no longer matches: run the workflow with its recorded input, answering calls from the recorded results')
    .option('--record <entry>', 'record a new golden file: run this workflow entry (no service, no store; virtual time), see -o')
    .option('--input <json>', 'with --record: an argument for the workflow, one JSON value (repeat for more arguments)', collect)
    .option('--stub <id=json>', 'with --record: answer every call of a function with this value, or error:Kind:message (repeatable)', collect)
    .option('--signal <topic=json>', 'with --record: a signal delivered when the workflow waits on its inbox; in order (repeatable)', collect)
    .option('-o, --output <file>', 'with --record: the golden file to write')
    .option('--start <time>', 'with --record: the virtual start time (ISO 8601)', '2024-01-01T00:00:00Z')
    .addHelpText('after', `
--update: a golden that still replays is left as it is. Others are re-recorded: a function call with
the same function and arguments as a recorded one gets the recorded result (nothing runs); a new call
runs the real function (listed in the output); recorded uuids, times and signals are given back at
the same points. See docs/golden.md.
Exit status: 0 all passed; 1 a file failed; 2 bad registry, path or option.
Examples:
  wippy test examples/workflows/goldens --registry examples/workflows
  wippy test --registry examples/workflows --record app.workflows:approval \\
    --input '{"order_id": "o-1"}' --stub app.approvals:submit='{"submitted": "o-1"}' \\
    --signal decision='{"approved": true}' -o approval.golden.json`)
    .action(async (paths: string[], opts) => {
      const { testCommand } = await import('./test');
      process.exitCode = await testCommand(paths, opts);
    });
}
