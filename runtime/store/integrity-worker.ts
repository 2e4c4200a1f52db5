/**
 * The worker thread of a background integrity check (integrity.ts startBackgroundCheck): runs the
 * full check of `workerData.path` on its own read-only connection and posts the report once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkIntegrity } from './integrity';

parentPort?.postMessage(checkIntegrity((workerData as { path: string }).path));
