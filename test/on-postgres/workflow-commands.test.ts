// On PostgreSQL: `wippy workflow list/show/history/export/signal/cancel/terminate/start`. The same test files as on SQLite, run again with every fixture's
// store a fresh PostgreSQL database (testkit/store-mode.ts): one suite, parametrised by store.
import { onPostgres } from '../../testkit/store-mode';

onPostgres(() => {
  require('../cli/workflow-control.test');
  require('../cli/workflow-start.test');
  require('../cli/workflow-inspect.test');
  require('../cli/workflow-export.test');
});
