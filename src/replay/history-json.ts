// History as proto3 JSON (what the Temporal CLI and UI export, and `WorkflowHistory.from_json` reads).
// @temporalio/common's historyToJSON fails here ("type must be a Type"): it pairs its own copy of
// protobufjs with @temporalio/proto's types. The serializer of @temporalio/proto's copy matches them.
import { createRequire } from 'node:module';
import proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root.js';

type ToJson = (type: unknown, message: unknown) => unknown;

const requireFromProto = createRequire(createRequire(import.meta.url).resolve('@temporalio/proto'));
const { toJson } = requireFromProto('protobufjs/ext/protojson') as { toJson: ToJson };
const historyType: unknown = (
  patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }
).lookupType('temporal.api.history.v1.History');

/** The history as a proto3 JSON string (`{"events": [...]}`, int64 as strings, enums by name). */
export function historyJson(history: proto.temporal.api.history.v1.IHistory): string {
  return JSON.stringify(toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)));
}
