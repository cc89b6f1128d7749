// The Temporal API enums the inspect code names values of, read from the trimmed descriptor: the
// numbers of @temporalio/proto without loading it.
import { liteDescriptor } from './descriptor.js';

type EnumValues = Readonly<Record<string, number>>;

function enumValues(name: string): EnumValues {
  const v1 = liteDescriptor.nested?.temporal?.nested?.api?.nested?.enums?.nested?.v1;
  const values = v1?.nested?.[name]?.values;
  if (!values) throw new Error(`enum temporal.api.enums.v1.${name} is not in the lite descriptor`);
  return values;
}

/** `temporal.api.enums.v1` as `enums.EventType`, `enums.RetryState`, ...: name -> number. */
export const enums = {
  CallbackState: enumValues('CallbackState'),
  EventType: enumValues('EventType'),
  PendingActivityState: enumValues('PendingActivityState'),
  PendingNexusOperationState: enumValues('PendingNexusOperationState'),
  PendingWorkflowTaskState: enumValues('PendingWorkflowTaskState'),
  RetryState: enumValues('RetryState'),
  TimeoutType: enumValues('TimeoutType'),
  VersioningBehavior: enumValues('VersioningBehavior'),
  WorkflowExecutionStatus: enumValues('WorkflowExecutionStatus'),
  WorkflowTaskFailedCause: enumValues('WorkflowTaskFailedCause'),
} as const;
