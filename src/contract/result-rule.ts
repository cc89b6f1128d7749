// What makes a COMPLETED workflow's result read like an error, and the rule used when input names none.
// Pure data: recipe inputs, the CLI and the check itself share it.

/** What makes a result read like an error; every field is optional in input, see defaults. */
export interface ResultRule {
  /** Keys whose string value, when in `errorValues`, marks an error (e.g. `status: "error"`). */
  statusKeys: string[];
  /** Values of a status key that mean failure (compared case-insensitively). */
  errorValues: string[];
  /** Keys that mark an error when present with a truthy value (e.g. `error: "..."`). */
  errorKeys: string[];
  /** Keys that mark an error when present and exactly `false` (e.g. `ok: false`). */
  falseMeansError: string[];
  /** Prefixes of a plain string result that read like an error (case-insensitive). */
  stringPrefixes: string[];
}

export const defaultResultRule: ResultRule = {
  statusKeys: ['status', 'state', 'result', 'outcome'],
  errorValues: ['error', 'failed', 'failure', 'fail', 'exception'],
  errorKeys: ['error', 'errors', 'exception', 'errorMessage', 'error_message'],
  falseMeansError: ['ok', 'success', 'succeeded'],
  stringPrefixes: ['error', 'failed', 'failure', 'exception', 'traceback'],
};
