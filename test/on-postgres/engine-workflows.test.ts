// On PostgreSQL: the engine's workflow features (activities, timers, signals, select, children, cancel, replay, parking). The same test files as on SQLite, run again with every fixture's
// store a fresh PostgreSQL database (testkit/store-mode.ts): one suite, parametrised by store.
import { onPostgres } from '../../testkit/store-mode';

onPostgres(() => {
  require('../engine/workflows.test');
});
