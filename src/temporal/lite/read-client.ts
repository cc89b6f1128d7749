// What the read-only inspect code (recent, result, history, the visibility list) needs from a
// Temporal client: a namespace, four WorkflowService reads and a payload decoder. The SDK's Client
// satisfies it as it is, and so does the light client of this directory.
import type { temporal } from '@temporalio/proto';

type Payload = temporal.api.common.v1.IPayload;

/** The four WorkflowService reads, with the request and response shapes of `client.workflowService`. */
export interface WorkflowReadService {
  listWorkflowExecutions(
    request: temporal.api.workflowservice.v1.IListWorkflowExecutionsRequest,
  ): Promise<temporal.api.workflowservice.v1.IListWorkflowExecutionsResponse>;
  getWorkflowExecutionHistoryReverse(
    request: temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryReverseRequest,
  ): Promise<temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryReverseResponse>;
  describeWorkflowExecution(
    request: temporal.api.workflowservice.v1.IDescribeWorkflowExecutionRequest,
  ): Promise<temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse>;
  countWorkflowExecutions(
    request: temporal.api.workflowservice.v1.ICountWorkflowExecutionsRequest,
  ): Promise<temporal.api.workflowservice.v1.ICountWorkflowExecutionsResponse>;
}

/** Turns result payloads into values: the part of the SDK's LoadedDataConverter a read needs. */
interface PayloadDecoding {
  readonly payloadConverter: { fromPayload<T>(payload: Payload): T };
  /** Applied last to first, as the SDK does. */
  readonly payloadCodecs: readonly { decode(payloads: Payload[]): Promise<Payload[]> }[];
}

/** A client the read-only inspect code can take: the SDK's `Client`, or the light client. */
export interface WorkflowReadClient {
  readonly options: { readonly namespace: string; readonly loadedDataConverter: PayloadDecoding };
  readonly workflowService: WorkflowReadService;
}
