// The light WorkflowService: four reads over @grpc/grpc-js with the trimmed descriptor, the same
// method names and request/response shapes as the SDK's `client.workflowService`, none of its weight.
import { Client as GrpcClient } from '@grpc/grpc-js';
import { checkedConnect, targetConverterOf, type ConnectTarget } from '../connection.js';
import { channelSettings } from './channel.js';
import { methodCodec, type MethodCodec } from './codec.js';
import type { WorkflowReadClient, WorkflowReadService } from './read-client.js';

/** A WorkflowReadClient on its own gRPC channel; `close()` it when done. */
export interface LiteClient extends WorkflowReadClient {
  /** Resolves once the channel is connected (no call is made); rejects at `deadline` (epoch ms). */
  ready(deadline: number): Promise<void>;
  close(): void;
}

export interface LiteOptions {
  /** Each call fails with DEADLINE_EXCEEDED after this long (default 60 s). */
  callTimeoutMs?: number;
  /** `connectLite` gives up when the channel is not ready after this long (default 5 s). */
  connectTimeoutMs?: number;
}

type Method = keyof WorkflowReadService;
type Req<M extends Method> = Parameters<WorkflowReadService[M]>[0];
type Res<M extends Method> = Awaited<ReturnType<WorkflowReadService[M]>>;

const METHODS = {
  listWorkflowExecutions: 'ListWorkflowExecutions',
  getWorkflowExecutionHistoryReverse: 'GetWorkflowExecutionHistoryReverse',
  describeWorkflowExecution: 'DescribeWorkflowExecution',
  countWorkflowExecutions: 'CountWorkflowExecutions',
} as const satisfies Record<Method, string>;

/** A light client of `target` (a lazy channel: the first call connects). Check `liteUnsupported(target)` first. */
function createLiteClient(target: ConnectTarget, options: LiteOptions = {}): LiteClient {
  const settings = channelSettings(target);
  const grpc = new GrpcClient(settings.address, settings.credentials, settings.options);
  const callTimeoutMs = options.callTimeoutMs ?? 60_000;
  const unary = <M extends Method>(method: M) => {
    let codec: MethodCodec<Req<M>, Res<M>> | undefined;
    return (request: Req<M>): Promise<Res<M>> =>
      new Promise((resolve, reject) => {
        codec ??= methodCodec<Req<M>, Res<M>>(METHODS[method]);
        grpc.makeUnaryRequest(
          codec.path,
          codec.encode,
          codec.decode,
          request,
          settings.metadata(request.namespace ?? target.namespace),
          { deadline: Date.now() + callTimeoutMs },
          (error, response) => (error ? reject(error) : resolve(response!)),
        );
      });
  };
  const workflowService: WorkflowReadService = {
    listWorkflowExecutions: unary('listWorkflowExecutions'),
    getWorkflowExecutionHistoryReverse: unary('getWorkflowExecutionHistoryReverse'),
    describeWorkflowExecution: unary('describeWorkflowExecution'),
    countWorkflowExecutions: unary('countWorkflowExecutions'),
  };
  return {
    options: {
      namespace: target.namespace,
      loadedDataConverter: targetConverterOf(target),
    },
    workflowService,
    ready: (deadline) =>
      new Promise((resolve, reject) =>
        grpc.waitForReady(deadline, (error) => (error ? reject(error) : resolve())),
      ),
    close: () => grpc.close(),
  };
}

/**
 * A light client whose channel is ready; rejects (and closes it) when no server answers within the
 * connect timeout, or when the server refuses the config as every other client path would.
 */
export function connectLite(target: ConnectTarget, options: LiteOptions = {}): Promise<LiteClient> {
  const open = async () => {
    const client = createLiteClient(target, options);
    try {
      await client.ready(Date.now() + (options.connectTimeoutMs ?? 5000));
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  };
  return checkedConnect(target, open, (late) => late.close());
}
