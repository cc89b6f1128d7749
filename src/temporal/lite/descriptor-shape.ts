// The shape of the generated descriptor: protobufjs namespace JSON, as scripts/gen-lite-descriptor.mjs
// writes it (protobufjs's own INamespace types call every method's comment required).

interface DescriptorField {
  type: string;
  id: number;
  rule?: 'repeated';
  keyType?: string;
}

/** A package, a message (fields, oneofs), an enum (values) or a service (methods), and what it nests. */
export interface DescriptorNode {
  nested?: Record<string, DescriptorNode>;
  fields?: Record<string, DescriptorField>;
  oneofs?: Record<string, { oneof: string[] }>;
  values?: Record<string, number>;
  methods?: Record<string, { requestType: string; responseType: string }>;
}
