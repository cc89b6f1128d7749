// Whether a closed target workflow ended well (the runbook's Recipe 5): COMPLETED with a result
// that does not read like an error. Pure: used by the CheckRecentResults activity and its tests.
import type { WorkflowStatusName } from '../contract/facts.js';
import { unreadableResult, type ResultCheck } from './result-check.js';

export interface ClosedRunFacts {
  status: WorkflowStatusName;
  /** The result check of a COMPLETED run (undefined when the result could not be read). */
  resultCheck?: ResultCheck;
  /** Failure chain, terminate reason or timeout, for the other statuses. */
  problem?: string;
}

/** `resultOk` and the reason for one closed run; a continued-as-new run is fine (its successor is checked on its own). */
export function judgeClosedRun(run: ClosedRunFacts): { resultOk: boolean; reason: string } {
  switch (run.status) {
    case 'COMPLETED':
      if (!run.resultCheck) return { resultOk: false, reason: 'COMPLETED, but its result could not be read' };
      if (run.resultCheck.unreadable)
        return { resultOk: false, reason: unreadableResult(run.resultCheck.unreadable) };
      return run.resultCheck.looksLikeError
        ? { resultOk: false, reason: `COMPLETED but ${run.resultCheck.reason}` }
        : { resultOk: true, reason: 'COMPLETED; result looks right' };
    case 'CONTINUED_AS_NEW':
      return { resultOk: true, reason: 'continued as new' };
    case 'FAILED':
    case 'TIMED_OUT':
    case 'TERMINATED':
    case 'CANCELED':
      return { resultOk: false, reason: `${run.status}${run.problem ? `: ${run.problem}` : ''}` };
    default:
      return { resultOk: false, reason: `status ${run.status}` };
  }
}
