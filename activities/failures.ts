// Our errors become ApplicationFailures with a stable `type` (the class name) that workflows
// branch on. Input and identity problems are non-retryable: retrying cannot fix them.
import { ApplicationFailure } from '@temporalio/common';
import {
  InvalidInputError,
  NotOurProcessError,
  PolicyRefusedError,
  WorkerNotReadyError,
} from '../src/errors.js';
import { StarterFailedError } from '../src/errors.js';
import { LockLostError, LockTimeoutError } from '../src/errors.js';
import { SpawnFailedError } from '../src/errors.js';
import { FailureType } from '../src/contract/failure-types.js';

/** Converts a thrown error into the ApplicationFailure the workflow should see. */
export function toFailure(error: unknown): unknown {
  if (error instanceof InvalidInputError) {
    return ApplicationFailure.create({
      message: error.message,
      type: FailureType.InvalidInput,
      nonRetryable: true,
      details: [{ field: error.field, value: error.value, expected: error.expected }],
    });
  }
  if (error instanceof PolicyRefusedError) {
    return ApplicationFailure.create({
      message: error.message,
      type: FailureType.PolicyRefused,
      nonRetryable: true,
      details: [{ field: error.field, value: error.value, rule: error.rule, fix: error.fix }],
    });
  }
  if (error instanceof WorkerNotReadyError) {
    return ApplicationFailure.create({
      message: error.message,
      type: FailureType.WorkerNotReady,
      nonRetryable: true,
      details: [{ pid: error.pid, logTail: error.logTail, exit: error.exit ?? null }],
    });
  }
  if (error instanceof SpawnFailedError) {
    return ApplicationFailure.create({
      message: error.message,
      type: FailureType.SpawnFailed,
      nonRetryable: true,
      details: [{ command: error.command, code: error.code }],
    });
  }
  if (error instanceof StarterFailedError) {
    return ApplicationFailure.create({
      message: error.message,
      type: FailureType.StarterFailed,
      nonRetryable: true,
      details: [
        {
          command: error.command,
          reason: error.reason,
          exitCode: error.exitCode,
          candidates: error.candidates,
        },
      ],
    });
  }
  // Retryable: the holder may finish, or its lease expire, before the next attempt.
  if (error instanceof LockTimeoutError || error instanceof LockLostError) {
    return ApplicationFailure.create({ message: error.message, type: error.name });
  }
  if (error instanceof NotOurProcessError) {
    return ApplicationFailure.create({
      message: error.message,
      type: FailureType.NotOurProcess,
      nonRetryable: true,
    });
  }
  return error;
}

/** Wraps an activity so our errors reach the workflow as typed failures. */
export function typedFailures<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (error) {
      throw toFailure(error);
    }
  };
}
