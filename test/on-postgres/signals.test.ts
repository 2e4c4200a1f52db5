// On PostgreSQL: durable signals from processes and the CLI. The same test files as on SQLite, run again with every fixture's
// store a fresh PostgreSQL database (testkit/store-mode.ts): one suite, parametrised by store.
import { onPostgres } from '../../testkit/store-mode';

onPostgres(() => {
  require('../reliability/signals.test');
});
