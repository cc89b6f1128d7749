// The stall rules in precedence order: the first that concludes gives the verdict; healthy-wait
// (stall-healthy-wait.ts) applies when none does.
import { activityPausedRule, workerSaturatedRule } from './stall-activity-state.js';
import { blockedRule } from './stall-blocked.js';
import { deadWorkerActivityRule } from './stall-dead-worker.js';
import { flappingRule } from './stall-flapping.js';
import { historyLimitRule } from './stall-history-limit.js';
import { localActivityStormRule } from './stall-local-activity.js';
import { nexusOperationFailingRule } from './stall-nexus-operation.js';
import { versionMismatchRule } from './stall-version.js';
import {
  activityNoWorkerRule,
  activityNotRegisteredRule,
  currentFailureRule,
  noWorkerRule,
  retryStormRule,
  taskTimeoutRule,
  unexplainedTaskProblemRule,
  type Rule,
} from './stall-rules.js';

/** Rule precedence, top to bottom: the run's own failures first, then what it waits on. */
export const RULES: readonly Rule[] = [
  currentFailureRule,
  taskTimeoutRule,
  activityNotRegisteredRule,
  activityPausedRule,
  retryStormRule,
  localActivityStormRule,
  nexusOperationFailingRule,
  flappingRule,
  versionMismatchRule,
  noWorkerRule,
  workerSaturatedRule,
  activityNoWorkerRule,
  deadWorkerActivityRule,
  historyLimitRule,
  blockedRule,
  unexplainedTaskProblemRule,
];
