// On PostgreSQL: golden files: record, export, replay, update. The same test files as on SQLite, run again with every fixture's
// store a fresh PostgreSQL database (testkit/store-mode.ts): one suite, parametrised by store.
import { onPostgres } from '../../testkit/store-mode';

onPostgres(() => {
  require('../golden/altered.test');
  require('../golden/examples.test');
  require('../golden/export.test');
  require('../golden/format.test');
  require('../golden/record.test');
  require('../golden/update-outcomes.test');
  require('../golden/update.test');
});
