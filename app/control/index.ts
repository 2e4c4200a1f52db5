/**
 * Controlling and inspecting workflows from outside the engine that runs them (the
 * `wippy workflow` commands): store selection, durable requests, and the views printed.
 *
 * Owns nothing itself; it is the one import for bin/workflow.ts. The engine imports nothing
 * from here: the reserved topics and the PID form it needs are runtime/engine/addressing.ts.
 */
export { selectStore, openForInspection, storeHolder, takenBy } from './store-select';
export type { StoreChoice, SelectedStore } from './store-select';
export {
  CANCEL_TOPIC, TERMINATE_TOPIC, RESERVED_PREFIX, CLI_SENDER, FINISHED,
  isReservedTopic, controlRequestOf, applyControlSignal, findWorkflow, liveWorkflow, parsePayloads, checkUserTopic,
  sendSignal, sendControl, isPending, waitAccepted,
} from './requests';
export type { ControlKind, ControlRequest, Sent } from './requests';
export { listItem, showView, renderShow, listLines, historyLines, jsonArrayLines, formatOffset, decodePayload, iso } from './views';
export type { ListItem, ShowView } from './views';
export { findWorkflowEntry, requestStart, startState, endedRow, pollFor, storeMissing } from './start';
export type { StartAsk } from './start';
