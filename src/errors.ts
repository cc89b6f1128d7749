// The named errors of temporal-ops, all in one place. Activities turn them into
// ApplicationFailures whose `type` is the class's static `type` (its name), so workflows branch on
// the type, never on the message. Pure: workflow code imports the types through failure-types.ts.

/** Thrown when an option or input field has a bad value; the message quotes field and value. */
export class InvalidInputError extends Error {
  /** The stable failure `type` activities give this error; workflows branch on it. */
  static readonly type = 'InvalidInputError' as const;
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
  /** The stable failure `type` activities give this error; workflows branch on it. */
  static readonly type = 'WorkerNotReadyError' as const;
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
  /** The stable failure `type` activities give this error; workflows branch on it. */
  static readonly type = 'NotOurProcessError' as const;
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
  /** The stable failure `type` activities give this error; workflows branch on it. */
  static readonly type = 'PolicyRefusedError' as const;
  override readonly name = 'PolicyRefusedError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    /** The policy rule that refused it (`allowedRoots`, `allowFreeFormCommands`, `allowShell`, `envName`, `envDenied`, `sharedDir`, `knownProjects`). */
    readonly rule: string,
    /** How to allow it (register the project, or change the policy file). */
    readonly fix: string,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown when the connection settings cannot be resolved: a missing profile, an unreadable file, an unsupported setting. */
export class ConnectConfigError extends Error {
  static readonly type = 'ConnectConfigError' as const;
  override readonly name = 'ConnectConfigError';
  constructor(
    /** The setting or source at fault, e.g. `profile cloud` or `tls-disable-host-verification`. */
    readonly setting: string,
    reason: string,
  ) {
    super(`connection settings (${setting}): ${reason}`);
  }
}

/** Thrown when the namespace for our bookkeeping workflows is missing on a server where we may not create it. */
export class BookkeepingNamespaceMissingError extends Error {
  static readonly type = 'BookkeepingNamespaceMissingError' as const;
  override readonly name = 'BookkeepingNamespaceMissingError';
  constructor(
    readonly namespace: string,
    readonly address: string,
    reason: string,
  ) {
    super(
      `namespace "${namespace}" (where temporal-ops keeps its bookkeeping workflows) does not exist on ${address}${reason ? ` (${reason})` : ''}; an administrator creates it once with \`temporal operator namespace create --namespace ${namespace} --address ${address}\`, or set TEMPORAL_OPS_BOOKKEEPING_NAMESPACE to your own namespace to keep the bookkeeping there`,
    );
  }
}

/**
 * Why a connection to the server failed, as every client path reports it. TLS, server side:
 * `ca-used-as-end-entity` (the server's certificate is a CA certificate, which the Rust core
 * refuses), `untrusted-certificate` (not signed by a CA we trust), `wrong-server-name`,
 * `tls-not-spoken` (TLS on, a plaintext server), `tls-required` (TLS off, a TLS server). Credentials:
 * `client-certificate-required`, `client-certificate-refused`, `credentials-refused` (the API key
 * or metadata: UNAUTHENTICATED or PERMISSION_DENIED).
 */
export type ConnectFailure =
  | 'ca-used-as-end-entity'
  | 'untrusted-certificate'
  | 'wrong-server-name'
  | 'tls-not-spoken'
  | 'tls-required'
  | 'client-certificate-required'
  | 'client-certificate-refused'
  | 'credentials-refused';

/** Thrown when a connection fails (or would, on the Rust core) for a cause the message names with its fix. */
export class ConnectionFailedError extends Error {
  /** The stable failure `type` activities give this error; workflows branch on it. */
  static readonly type = 'ConnectionFailedError' as const;
  override readonly name = 'ConnectionFailedError';
  constructor(
    readonly address: string,
    readonly reason: ConnectFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown when the bookkeeping namespace lacks the incident search attributes and we may not register them. */
export class IncidentAttributesMissingError extends Error {
  static readonly type = 'IncidentAttributesMissingError' as const;
  override readonly name = 'IncidentAttributesMissingError';
  constructor(
    readonly namespace: string,
    readonly address: string,
    readonly missing: string[],
  ) {
    const names = missing.map((name) => `--name ${name} --type Keyword`).join(' ');
    super(
      `namespace "${namespace}" on ${address} lacks the search attributes ${missing.join(', ')} that incidents need; an administrator registers them once with \`temporal operator search-attribute create --namespace ${namespace} ${names} --address ${address}\``,
    );
  }
}

/** Thrown when a notification sink does not take a message: an HTTP status, a command's exit, a timeout. */
export class NotifyFailedError extends Error {
  static readonly type = 'NotifyFailedError' as const;
  override readonly name = 'NotifyFailedError';
  constructor(
    /** The sink as shown (kind and host, or the command's program): never a URL's secret path. */
    readonly sink: string,
    /** The HTTP status, or the command's exit code; undefined when no answer came. */
    readonly status: number | undefined,
    message: string,
  ) {
    super(`${sink}: ${message}`);
  }
}

/** Thrown by the CLI layer; carries the exit code to the single process.exit. */
export class ExitError extends Error {
  /** The stable failure `type` activities give this error; workflows branch on it. */
  static readonly type = 'ExitError' as const;
  override readonly name = 'ExitError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Thrown when an installed copy of temporal-ops lacks a file its package should carry (a tarball not made by `npm pack`). */
export class InstallIncompleteError extends Error {
  /** The stable failure `type` activities give this error; workflows branch on it. */
  static readonly type = 'InstallIncompleteError' as const;
  override readonly name = 'InstallIncompleteError';
  constructor(
    readonly path: string,
    cause: string,
  ) {
    super(
      `this installation of temporal-ops lacks ${path} (${cause}); reinstall it from a tarball made by \`npm pack\` (see docs/INSTALL.md)`,
    );
  }
}

/** Thrown when the command cannot be started at all (not found, not executable), or exits at once (`EEXITED`). */
export class SpawnFailedError extends Error {
  /** The stable failure `type` activities give this error; workflows branch on it. */
  static readonly type = 'SpawnFailedError' as const;
  override readonly name = 'SpawnFailedError';
  constructor(
    readonly command: string,
    readonly code: string,
    message: string,
    /** With `EEXITED`: the pid it had and how it ended. */
    readonly exited?: { pid: number; code: number | null; signal: string | null },
  ) {
    super(message);
  }
}

/** Thrown when the lock could not be had within the wait bound; names the holder. */
export class LockTimeoutError extends Error {
  /** The stable failure `type` activities give this error; workflows branch on it. */
  static readonly type = 'LockTimeoutError' as const;
  override readonly name = 'LockTimeoutError';
  constructor(
    readonly project: string,
    readonly waitedMs: number,
    readonly holder: string,
  ) {
    super(`project "${project}": lock still held by ${holder} after waiting ${waitedMs} ms`);
  }
}

/** Thrown into a task whose lock was taken over (its lease expired) or held past its bound. */
export class LockLostError extends Error {
  /** The stable failure `type` activities give this error; workflows branch on it. */
  static readonly type = 'LockLostError' as const;
  override readonly name = 'LockLostError';
  constructor(
    readonly project: string,
    why: string,
  ) {
    super(`project "${project}": lock lost (${why})`);
  }
}

/**
 * `hook-not-loaded`: the command's Python never ran our start hook (not Python, `-S`/`-I`, or
 * PYTHONPATH replaced); `no-worker`: the command exited without constructing a temporalio Worker;
 * `no-matching-worker`: no Worker on the checked task queue ran; `crashed`: the command or the
 * hook failed before every history was replayed; `timed-out`; `cancelled`.
 */
export type ReplayCheckFailure =
  'hook-not-loaded' | 'no-worker' | 'no-matching-worker' | 'crashed' | 'timed-out' | 'cancelled';

/** Thrown when the worker command cannot replay the histories; carries the command's log tail. */
export class ReplayCheckError extends Error {
  /** The stable failure `type` activities give this error; workflows branch on it. */
  static readonly type = 'ReplayCheckError' as const;
  override readonly name = 'ReplayCheckError';
  constructor(
    readonly reason: ReplayCheckFailure,
    message: string,
    readonly logTail: string,
    readonly exit?: { code: number | null; signal: string | null },
  ) {
    super(message);
  }
}

/**
 * Thrown when a starter ran but gave no workflow: it timed out, neither printed an ID nor started a
 * run that visibility shows, or started several that cannot be told apart (`candidates`).
 */
export class StarterFailedError extends Error {
  /** The stable failure `type` activities give this error; workflows branch on it. */
  static readonly type = 'StarterFailedError' as const;
  override readonly name = 'StarterFailedError';
  constructor(
    readonly command: string,
    readonly reason: 'timeout' | 'no-workflow-id' | 'ambiguous',
    readonly exitCode: number | null,
    readonly outputTail: string,
    message: string,
    readonly candidates: string[] = [],
  ) {
    super(`${message}; output tail:\n${outputTail}`);
  }
}

/** Thrown inside TestInteractive when an answer does not meet its expectation; the recipe reports it. */
export class ExpectationFailed extends Error {}

/** The Codec Server did not decode a batch of payloads: no answer, an error status, or an answer of another shape. */
export class CodecServerError extends Error {
  /** The stable failure `type` activities give this error; workflows branch on it. */
  static readonly type = 'CodecServerError' as const;
  override readonly name = 'CodecServerError';
}
