// Stable `type` strings of the ApplicationFailures activities throw; workflows branch on these.
// Each comes from its error class in src/errors.ts; the last two have no class (activities raise
// them directly as ApplicationFailures).
import {
  IncidentAttributesMissingError,
  InvalidInputError,
  LockLostError,
  LockTimeoutError,
  NotOurProcessError,
  NotifyFailedError,
  PolicyRefusedError,
  ReplayCheckError,
  SpawnFailedError,
  StarterFailedError,
  WorkerNotReadyError,
} from '../errors.js';

export const FailureType = {
  InvalidInput: InvalidInputError.type,
  WorkerNotReady: WorkerNotReadyError.type,
  SpawnFailed: SpawnFailedError.type,
  NotOurProcess: NotOurProcessError.type,
  StarterFailed: StarterFailedError.type,
  PolicyRefused: PolicyRefusedError.type,
  ReplayCheckFailed: ReplayCheckError.type,
  LockTimeout: LockTimeoutError.type,
  LockLost: LockLostError.type,
  IncidentAttributesMissing: IncidentAttributesMissingError.type,
  NotifyFailed: NotifyFailedError.type,
  /** The server did not answer (retryable). */
  ServerUnavailable: 'ServerUnavailableError',
  /** No control worker polls the named host's queue. */
  HostUnavailable: 'HostUnavailableError',
} as const;
