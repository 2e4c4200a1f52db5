// On PostgreSQL: crash and restart through the real binary (SIGKILL, resume, startup messages). The same test files as on SQLite, run again with every fixture's
// store a fresh PostgreSQL database (testkit/store-mode.ts): one suite, parametrised by store.
import { onPostgres } from '../../testkit/store-mode';

onPostgres(() => {
  require('../engine/crash.test');
  require('../engine/spawner-crash.test');
});
