/**
 * Golden files: format (format.ts), lossless payload JSON (rawjson.ts), replay (replay.ts),
 * recording (record.ts, plan.ts), test runs (suite.ts, session.ts). The public surface for the
 * CLI and tests.
 */
export { toGolden, fromGolden, GoldenError, GOLDEN_FORMAT, type GoldenFile } from './format';
export { replayGolden, type ReplayResult, type ReplayTier, type ReplayEnv, type FirstDifference } from './replay';
export { recordWorkflow, type RecordPlan, type RecordResult, type RecordHost, type External } from './record';
export { planFromGolden, parseStub, parseSignal, jsonArg, defaultWorkflowId } from './plan';
export { GoldenSession } from './session';
export { findGoldens, readGolden, checkGolden, updateGolden, recordGolden, GOLDEN_SUFFIX, type Verdict } from './suite';
