// Encoding requests and decoding responses of the light WorkflowService with the trimmed descriptor.
import protobuf from 'protobufjs/light.js';
import { liteDescriptor } from './descriptor.js';

export const WORKFLOW_SERVICE = 'temporal.api.workflowservice.v1.WorkflowService';

export interface MethodCodec<Req, Res> {
  /** The gRPC path: /temporal.api.workflowservice.v1.WorkflowService/<Method>. */
  path: string;
  encode(request: Req): Buffer;
  decode(bytes: Buffer): Res;
}

let root: protobuf.Root | undefined;

/** The protobufjs Root of the trimmed descriptor (built once). */
export function liteRoot(): protobuf.Root {
  root ??= protobuf.Root.fromJSON(liteDescriptor as protobuf.INamespace);
  return root;
}

/** The codec of one WorkflowService method the descriptor keeps; throws for any other method. */
export function methodCodec<Req, Res>(method: string): MethodCodec<Req, Res> {
  const found = liteRoot().lookupService(WORKFLOW_SERVICE).methods[method];
  if (!found) throw new Error(`method: ${JSON.stringify(method)} is not in the lite descriptor`);
  found.resolve();
  const requestType = found.resolvedRequestType!;
  const responseType = found.resolvedResponseType!;
  return {
    path: `/${WORKFLOW_SERVICE}/${method}`,
    encode(request) {
      const bytes = requestType.encode(request as Record<string, unknown>).finish();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    decode: (bytes) => responseType.decode(bytes) as Res,
  };
}
