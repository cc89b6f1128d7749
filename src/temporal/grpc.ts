// gRPC status checks on errors from raw WorkflowService calls (no SDK import: the light read path uses them too).

const INVALID_ARGUMENT = 3;

/**
 * The largest answer a gRPC-js channel of ours accepts, as the Rust core's and the Temporal CLI's do:
 * a history page or a list page of runs with large payloads or memos passes gRPC-js's 4 MiB default.
 */
export const MAX_RECEIVE_BYTES = 128 * 1024 * 1024;
const NOT_FOUND = 5;

/** True when the server said the workflow (or run) does not exist. */
export function isNotFound(error: unknown): boolean {
  // The SDK's WorkflowNotFoundError, by the name its class carries.
  if (error instanceof Error && error.name === 'WorkflowNotFoundError') return true;
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === NOT_FOUND;
}

/** True when the server rejected the request as malformed (e.g. a visibility query it cannot parse). */
export function isInvalidArgument(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === INVALID_ARGUMENT
  );
}
