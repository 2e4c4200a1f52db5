// On PostgreSQL: test/cli/workflow-export.test.ts run again with every fixture's store a fresh
// PostgreSQL database (testkit/store-mode.ts): one suite, parametrised by store. One file per CLI
// file, so each has its own time budget (they spawn the real binary many times).
import { onPostgres } from '../../testkit/store-mode';

onPostgres(() => {
  require('../cli/workflow-export.test');
});
