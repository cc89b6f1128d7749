// Stable `type` strings of the ApplicationFailures activities throw; workflows branch on these.
export const FailureType = {
  InvalidInput: 'InvalidInputError',
  WorkerNotReady: 'WorkerNotReadyError',
  SpawnFailed: 'SpawnFailedError',
  NotOurProcess: 'NotOurProcessError',
  StarterFailed: 'StarterFailedError',
  ServerUnavailable: 'ServerUnavailableError',
  HostUnavailable: 'HostUnavailableError',
  PolicyRefused: 'PolicyRefusedError',
  ReplayCheckFailed: 'ReplayCheckError',
} as const;
