// The few named errors of temporal-ops. Activities turn them into ApplicationFailures whose
// `type` is the class name, so workflows branch on the type, never on the message.

/** Thrown when an option or input field has a bad value; the message quotes field and value. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${field}: expected ${expected}, got ${JSON.stringify(value) ?? String(value)}`);
  }
}

/** Thrown when a target worker exits or never polls its task queue while we wait for it. */
export class WorkerNotReadyError extends Error {
  override readonly name = 'WorkerNotReadyError';
  constructor(
    message: string,
    readonly pid: number,
    readonly logTail: string,
    readonly exit?: { code?: number | null; signal?: string | null },
    /** `exited` before polling, or still not polling at the `timeout`. */
    readonly reason: 'exited' | 'timeout' = 'exited',
  ) {
    super(message);
  }
}

/** Thrown when a process cannot be proven ours (pid + start time + command line) and so is left alone. */
export class NotOurProcessError extends Error {
  override readonly name = 'NotOurProcessError';
  constructor(
    readonly pid: number,
    readonly why: string,
  ) {
    super(`process ${pid} is not proven ours (${why}); it was not signalled`);
  }
}

/** Thrown when this host's local policy refuses a request; the message names the rule and how to change it. */
export class PolicyRefusedError extends Error {
  override readonly name = 'PolicyRefusedError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    /** The policy setting that refused it: `allowedRoots`, `allowFreeFormCommands` or `allowShell`. */
    readonly rule: string,
    /** How to allow it (register the project, or change the policy file). */
    readonly fix: string,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown by the CLI layer; carries the exit code to the single process.exit. */
export class ExitError extends Error {
  override readonly name = 'ExitError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
