// Encoding requests and decoding responses of the light WorkflowService with the trimmed descriptor.
import protobuf from 'protobufjs/light.js';
import type { DescriptorNode } from './descriptor-shape.js';
import { liteDescriptor } from './descriptor.js';

export const WORKFLOW_SERVICE = 'temporal.api.workflowservice.v1.WorkflowService';

export interface MethodCodec<Req, Res> {
  /** The gRPC path: /temporal.api.workflowservice.v1.WorkflowService/<Method>. */
  path: string;
  encode(request: Req): Buffer;
  decode(bytes: Buffer): Res;
}

type Generated = (...args: unknown[]) => unknown;

/**
 * Gives each message type only the decoder (or encoder) it is used with, generated on first use.
 * protobufjs's own first use generates five functions per type (encode, decode, verify, from/to
 * object) and the root resolves every field up front: a third of this command's protobuf time.
 */
function generateOnUse(namespace: protobuf.NamespaceBase): void {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) {
      const type = nested;
      // What protobufjs's own setup hands its generated code (`C`: the message constructor, v8).
      const scope = () => ({
        types: type.fieldsArray.map((field) => field.resolve().resolvedType),
        util: protobuf.util,
        C: type.ctor,
      });
      type.decode = ((...args: unknown[]) => {
        const decode = (protobuf.decoder(type) as Generated)({ ...scope(), Reader: protobuf.Reader });
        type.decode = decode as typeof type.decode;
        return type.decode(...(args as Parameters<typeof type.decode>));
      }) as typeof type.decode;
      type.encode = ((...args: unknown[]) => {
        const encode = (protobuf.encoder(type) as Generated)({ ...scope(), Writer: protobuf.Writer });
        type.encode = encode as typeof type.encode;
        return type.encode(...(args as Parameters<typeof type.encode>));
      }) as typeof type.encode;
    }
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) generateOnUse(nested);
  }
}

let root: protobuf.Root | undefined;

/** The protobufjs Root of the trimmed descriptor (built once, fields resolved as types are first used). */
export function liteRoot(): protobuf.Root {
  if (!root) {
    const built = new protobuf.Root();
    built.addJSON((liteDescriptor as DescriptorNode & protobuf.INamespace).nested ?? {});
    generateOnUse(built);
    root = built;
  }
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
