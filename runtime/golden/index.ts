/**
 * Golden files: format (format.ts), lossless payload JSON (rawjson.ts), replay (replay.ts).
 * The public surface for the CLI and tests.
 */
export { toGolden, fromGolden, GoldenError, GOLDEN_FORMAT, type GoldenFile } from './format';
export { replayGolden, type ReplayResult, type ReplayTier, type ReplayEnv } from './replay';
