// Reading the SDK's replay failure: the diverging event and what the new code did instead, from
// the message of sdk-core's nondeterminism errors and the events of the first diverging task.
import type { Divergence } from './report-types.js';

/** An event of the first workflow task that no longer replays, as the hook reports it. */
export interface WindowEvent {
  eventId: number;
  eventType: string;
  /** Activity or child workflow type, timer id, marker or signal name. */
  detail?: string | null;
}

/** The command a core state machine stands for, named as in the Temporal API. */
const MACHINE_COMMANDS: Readonly<Record<string, string>> = {
  Activity: 'ScheduleActivityTask',
  Timer: 'StartTimer',
  'Child workflow': 'StartChildWorkflowExecution',
  'Complete workflow': 'CompleteWorkflowExecution',
  'Fail workflow': 'FailWorkflowExecution',
  'Cancel workflow': 'CancelWorkflowExecution',
  'Continue as new workflow': 'ContinueAsNewWorkflowExecution',
  'Signal external WF': 'SignalExternalWorkflowExecution',
  'Cancel external WF': 'RequestCancelExternalWorkflowExecution',
  'Nexus operation': 'ScheduleNexusOperation',
  Update: 'ProtocolMessage (update)',
  'Local activity': 'RecordMarker (local activity)',
};

/** Event types that record a command of the workflow code. */
const COMMAND_EVENTS = new Set([
  'ActivityTaskScheduled',
  'ActivityTaskCancelRequested',
  'TimerStarted',
  'TimerCanceled',
  'MarkerRecorded',
  'StartChildWorkflowExecutionInitiated',
  'SignalExternalWorkflowExecutionInitiated',
  'RequestCancelExternalWorkflowExecutionInitiated',
  'UpsertWorkflowSearchAttributes',
  'WorkflowPropertiesModified',
  'NexusOperationScheduled',
  'NexusOperationCancelRequested',
  'WorkflowExecutionCompleted',
  'WorkflowExecutionFailed',
  'WorkflowExecutionCanceled',
  'WorkflowExecutionContinuedAsNew',
  'WorkflowExecutionUpdateAccepted',
  'WorkflowExecutionUpdateCompleted',
]);

interface Mismatch {
  eventType: string;
  recorded: string;
  produced: string;
}

/** `X of scheduled event 'a' does not match X of ... command 'b'` messages of sdk-core. */
const MISMATCHES: readonly { pattern: RegExp; eventType: string; command: string }[] = [
  {
    pattern:
      /Activity (?:type|id) of scheduled event '([^']*)' does not match activity (?:type|id) of activity command '([^']*)'/,
    eventType: 'ActivityTaskScheduled',
    command: 'ScheduleActivityTask',
  },
  {
    pattern:
      /Child workflow (?:type|id) of scheduled event '([^']*)' does not match child workflow (?:type|id) of command '([^']*)'/,
    eventType: 'StartChildWorkflowExecutionInitiated',
    command: 'StartChildWorkflowExecution',
  },
  {
    pattern:
      /Activity (?:type|id) of recorded marker '([^']*)' does not match activity (?:type|id) of local activity command '([^']*)'/,
    eventType: 'MarkerRecorded',
    command: 'RecordMarker (local activity)',
  },
];

function mismatchOf(message: string): Mismatch | undefined {
  for (const { pattern, eventType, command } of MISMATCHES) {
    const match = pattern.exec(message);
    if (match) return { eventType, recorded: match[1] ?? '', produced: `${command} ${match[2] ?? ''}` };
  }
  return undefined;
}

/**
 * The Replayer wraps core's message in a Rust debug dump (`Workflow activation completion failed:
 * Failure { failure: Some(Failure { message: "[TMPRL1100] ...", ...`): unwrap it.
 */
function sdkMessage(failure: string): string {
  const quoted = /Failure \{ message: "((?:[^"\\]|\\.)*)"/.exec(failure)?.[1];
  return quoted === undefined ? failure : quoted.replace(/\\(["\\])/g, '$1');
}

function producedBy(message: string): string | undefined {
  if (/No command scheduled for event/.test(message)) return 'no command';
  const machine = /([A-Z][A-Za-z ]*?) machine does not handle this event/.exec(message)?.[1];
  if (machine) return MACHINE_COMMANDS[machine] ?? `a command of the ${machine} machine`;
  return undefined;
}

/**
 * The divergence a replay failure describes: the event named in the message
 * (`HistoryEvent(id: 5, TimerStarted)`), else the window event the message's mismatch points at,
 * else (with `guess`, for nondeterminism) the first command event of the diverging workflow task.
 */
export function divergenceOf(
  failure: string,
  window: readonly WindowEvent[] = [],
  { guess = true }: { guess?: boolean } = {},
): Divergence {
  const message = sdkMessage(failure);
  const named = /HistoryEvent\(id: (\d+), (\w+)\)/.exec(message);
  const mismatch = mismatchOf(message);
  const divergence: Divergence = { message };
  if (message !== failure) divergence.failure = failure;
  const produced = mismatch?.produced ?? producedBy(message);
  if (produced) divergence.produced = produced;
  let event: WindowEvent | undefined;
  if (named) {
    const eventId = Number(named[1]);
    event = window.find((e) => e.eventId === eventId) ?? { eventId, eventType: named[2] ?? '' };
  } else if (mismatch) {
    event =
      window.find((e) => e.eventType === mismatch.eventType && e.detail === mismatch.recorded) ??
      window.find((e) => e.eventType === mismatch.eventType);
  } else if (guess) {
    event = window.find((e) => COMMAND_EVENTS.has(e.eventType)) ?? window[0];
  }
  if (event) {
    divergence.eventId = event.eventId;
    divergence.eventType = event.eventType;
  }
  const recorded = mismatch?.recorded ?? event?.detail;
  if (recorded) divergence.recorded = recorded;
  return divergence;
}
