/**
 * The workflow fixture moved to testkit/ (registry.ts: `wfRegistry`, `wfRegistryFiles`,
 * `TICK`, `HEALTHY`; outcome.ts: `runWf`, `valueOf`; wait.ts: `tick`). Re-exported here only so
 * that branches written against this path still compile: new tests import testkit/ directly.
 */
export { wfRegistry, wfRegistryFiles, TICK, HEALTHY, type WfFixture } from '../../testkit/registry';
export { runWf, valueOf } from '../../testkit/outcome';
export { tick } from '../../testkit/wait';
