/**
 * Commander wiring for `wippy store check|recover` (bin/store.ts does the work, loaded lazily).
 */
import { exitOnUsageError } from './usage-exit';
import type { Command } from 'commander';

export function addStoreCommands(program: Command): void {
  const store = program
    .command('store')
    .description('Check the workflow store, or salvage a damaged one.')
    .exitOverride(exitOnUsageError)
    .addHelpText('after', `
The store: --db FILE, else the temporal.client store of the registry at --registry PATH (default: .).
Exit status: 0 sound / recovered; 1 the store cannot be read or is in use; 2 bad usage; 4 the store is damaged.`);
  const pick = (c: Command): Command => c
    .option('--db <file>', 'the workflow store (SQLite file)')
    .option('--registry <path>', 'registry whose temporal.client names the store (default: current folder)');

  pick(store.command('check'))
    .description('Run SQLite\'s full integrity check on the store (works beside a running `wippy run`).')
    .action(async (opts) => { process.exitCode = (await import('./store')).checkCommand(opts); });

  pick(store.command('recover'))
    .description('Copy what can still be read from a damaged store into a new file, and say what was lost.')
    .requiredOption('-o, --output <file>', 'the new store to write (must not exist)')
    .addHelpText('after', `
Example:
  wippy store recover --db .wippy/state.db -o recovered.db && wippy workflow list --db recovered.db`)
    .action(async (opts) => { process.exitCode = (await import('./store')).recoverCommand(opts); });
}
