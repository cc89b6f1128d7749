// The gRPC channel settings of a connection config, made the way the SDK's Connection makes them:
// default port 7233, TLS when asked (or when an API key is given), the API key as a bearer token,
// the config's metadata and the namespace header on every call.
import { credentials, Metadata, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { grpcEndpoint } from '../address.js';
import { tlsSettings } from '../connect-probe.js';
import type { ConnectTarget } from '../connection.js';
import { WORKFLOW_SERVICE } from './codec.js';
import { MAX_RECEIVE_BYTES } from '../grpc.js';

export interface ChannelSettings {
  /** host:port */
  address: string;
  credentials: ChannelCredentials;
  options: ChannelOptions;
  /** The metadata of one call on `namespace`. */
  metadata(namespace: string): Metadata;
}

// Reads are idempotent: a server that is briefly unavailable is asked again, with backoff.
const serviceConfig = {
  methodConfig: [
    {
      name: [{ service: WORKFLOW_SERVICE }],
      retryPolicy: {
        maxAttempts: 4,
        initialBackoff: '0.1s',
        maxBackoff: '1s',
        backoffMultiplier: 2,
        retryableStatusCodes: ['UNAVAILABLE', 'RESOURCE_EXHAUSTED'],
      },
    },
  ],
};

const buffer = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes) : null);

/** The channel settings of `target` (check `liteUnsupported` first: options it does not list are not applied). */
export function channelSettings(target: ConnectTarget): ChannelSettings {
  const { apiKey, metadata: configMetadata } = target.connectionOptions;
  const tls = tlsSettings(target);
  const options: ChannelOptions = {
    'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
    'grpc.service_config': JSON.stringify(serviceConfig),
  };
  if (tls?.serverNameOverride) {
    options['grpc.ssl_target_name_override'] = tls.serverNameOverride;
    options['grpc.default_authority'] = tls.serverNameOverride;
  }
  const channelCredentials = tls
    ? credentials.createSsl(
        buffer(tls.serverRootCACertificate),
        buffer(tls.clientCertPair?.key),
        buffer(tls.clientCertPair?.crt),
      )
    : credentials.createInsecure();
  return {
    address: grpcEndpoint(target.address, 7233),
    credentials: channelCredentials,
    options,
    metadata(namespace) {
      const metadata = new Metadata();
      for (const [key, value] of Object.entries(configMetadata ?? {})) metadata.set(key, value);
      if (apiKey) metadata.set('authorization', `Bearer ${apiKey}`);
      metadata.set('temporal-namespace', namespace);
      return metadata;
    },
  };
}
