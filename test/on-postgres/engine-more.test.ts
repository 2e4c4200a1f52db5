// On PostgreSQL: activation, the instance cache, non-determinism and parking, retry state, Spawners, start requests, versioning. The same test files as on SQLite, run again with every fixture's
// store a fresh PostgreSQL database (testkit/store-mode.ts): one suite, parametrised by store.
import { onPostgres } from '../../testkit/store-mode';

onPostgres(() => {
  require('../engine/activation.test');
  require('../engine/cache.test');
  require('../engine/exhaustive.test');
  require('../engine/nondeterminism.test');
  require('../engine/retry-state.test');
  require('../engine/spawner.test');
  require('../engine/start-requests.test');
  require('../engine/wippy-workflows.test');
});
