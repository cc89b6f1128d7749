// One look at how a server takes a connection config, made with Node's own TLS and HTTP/2: the
// server's certificate (trusted, naming the server, not a CA used as its own certificate, which
// the Rust core refuses), then one GetSystemInfo call with the client certificate and the API key.
// Every client path asks it, so each names a failure alike. Causes come from error codes and
// certificate fields, never from message text.
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import { ConnectionFailedError, type ConnectFailure } from '../errors.js';
import { addressHost, grpcEndpoint } from './address.js';
import type { ConnectTarget } from './connection.js';
import { getSystemInfo, handshake, type CallOutcome, type TlsSettings } from './probe-wire.js';

/** The TLS settings `target` connects with, or undefined for plaintext. */
export function tlsSettings(target: ConnectTarget): TlsSettings | undefined {
  const { tls, apiKey } = target.connectionOptions;
  if (tls === false || tls === null) return undefined;
  if (typeof tls === 'object') return tls;
  return tls === true || apiKey !== undefined ? {} : undefined;
}

const PROBE_TIMEOUT_MS = 3000;
const UNAUTHENTICATED = '16';
const PERMISSION_DENIED = '7';

/** OpenSSL's codes for a server certificate it could not chain to a trusted CA. */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

/** The alert a server sends when the client gave no certificate and it wants one. */
const CERTIFICATE_REQUIRED = 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED';

/** The alerts a server sends about the client certificate it got. */
const CERTIFICATE_ALERTS = new Set([
  CERTIFICATE_REQUIRED,
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
]);

/** A peer that hung up on us. */
const HANG_UP = new Set(['ECONNRESET', 'EPIPE']);

/** OpenSSL's codes for a peer that does not answer a ClientHello in TLS. */
const NOT_TLS = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_RECORD_LAYER_FAILURE',
]);

function describeName(cert: PeerCertificate): string {
  return cert.subjectaltname || `CN=${cert.subject?.CN ?? '?'}`;
}

function callHeaders(target: ConnectTarget): Record<string, string> {
  const { apiKey, metadata } = target.connectionOptions;
  const headers: Record<string, string> = { ...(metadata as Record<string, string> | undefined) };
  const key = typeof apiKey === 'function' ? (apiKey as () => string)() : apiKey;
  if (key) headers.authorization = `Bearer ${key}`;
  headers['temporal-namespace'] = target.namespace;
  return headers;
}

const fail = (target: ConnectTarget, reason: ConnectFailure, message: string) =>
  new ConnectionFailedError(target.address, reason, `${target.address}: ${message}`);

/** What the server's certificate says against the config, before any call. */
function judgeCertificate(
  target: ConnectTarget,
  socket: TLSSocket,
  serverName: string,
): ConnectionFailedError | undefined {
  const cert = socket.getPeerCertificate();
  if (cert.ca)
    return fail(
      target,
      'ca-used-as-end-entity',
      `the server's certificate (${describeName(cert)}) is a CA certificate (its own CA, as a self-signed certificate often is); the Rust core of workers and sweeps refuses a CA certificate used as the server's own (CaUsedAsEndEntity), so every command does: serve a leaf certificate signed by a CA and give that CA with --tls-ca-path`,
    );
  const untrusted = String(socket.authorizationError ?? '');
  if (untrusted === 'ERR_TLS_CERT_ALTNAME_INVALID' || (!untrusted && checkServerIdentity(serverName, cert)))
    return fail(
      target,
      'wrong-server-name',
      `the server's certificate does not name ${JSON.stringify(serverName)} (it names ${describeName(cert)}): give one of its names with --tls-server-name (TEMPORAL_TLS_SERVER_NAME)`,
    );
  if (UNTRUSTED.has(untrusted))
    return fail(
      target,
      'untrusted-certificate',
      `the server's certificate (${describeName(cert)}, issued by CN=${cert.issuer?.CN ?? '?'}) is not signed by a CA we trust (${untrusted}): give its CA with --tls-ca-path (TEMPORAL_TLS_SERVER_CA_CERT_PATH)`,
    );
  if (untrusted)
    return fail(target, 'untrusted-certificate', `the server's certificate is not accepted (${untrusted})`);
  return undefined;
}

/** What the GetSystemInfo call says about the credentials. */
function judgeCall(
  target: ConnectTarget,
  tls: TlsSettings,
  outcome: CallOutcome,
): ConnectionFailedError | undefined {
  const code = outcome.errorCode ?? '';
  // A server that checks client certificates after the handshake may just hang up on a bad one.
  if (
    CERTIFICATE_ALERTS.has(code) ||
    (outcome.closedAtOnce && tls.clientCertPair && (!code || HANG_UP.has(code)))
  )
    return tls.clientCertPair
      ? fail(
          target,
          'client-certificate-refused',
          `the server refused our client certificate (${code || 'it closed the connection'}): it must be signed by a CA the server trusts, and not expired (--tls-cert-path, --tls-key-path)`,
        )
      : fail(
          target,
          'client-certificate-required',
          `the server requires a client certificate (mTLS): give --tls-cert-path and --tls-key-path (TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH)`,
        );
  if (outcome.grpcStatus === UNAUTHENTICATED || outcome.grpcStatus === PERMISSION_DENIED)
    return fail(
      target,
      'credentials-refused',
      `the server refused the credentials for namespace ${target.namespace} (${outcome.grpcStatus === UNAUTHENTICATED ? 'UNAUTHENTICATED' : 'PERMISSION_DENIED'}: ${outcome.grpcMessage ?? ''}): check the API key (--api-key, TEMPORAL_API_KEY) or the client certificate`,
    );
  return undefined;
}

/**
 * Why the server at `target` would refuse its config (a ConnectionFailedError naming the cause and
 * its fix), or undefined when the probe finds nothing wrong, nothing answers, or the config goes
 * through a proxy the probe does not take. Bounded by `timeoutMs`.
 */
export async function probeConnection(
  target: ConnectTarget,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ConnectionFailedError | undefined> {
  if (target.connectionOptions.proxy) return undefined;
  const deadline = Date.now() + timeoutMs;
  const endpoint = grpcEndpoint(target.address, 7233);
  const host = addressHost(endpoint);
  const port = Number(/:(\d+)$/.exec(endpoint)![1]);
  const tls = tlsSettings(target);
  if (!tls) {
    const { socket } = await handshake(host, port, host, {}, deadline);
    if (!socket) return undefined;
    socket.destroy();
    return fail(
      target,
      'tls-required',
      'the server speaks TLS, and TLS is off: add --tls (TEMPORAL_TLS), with --tls-ca-path for a private CA',
    );
  }
  const serverName = tls.serverNameOverride ?? host;
  const { socket, errorCode } = await handshake(host, port, serverName, tls, deadline);
  if (!socket) {
    if (NOT_TLS.has(errorCode ?? ''))
      return fail(
        target,
        'tls-not-spoken',
        'the server does not speak TLS, and TLS is on (--tls, a --tls-* setting, or an API key, which turns TLS on)',
      );
    return judgeCall(target, tls, { errorCode });
  }
  const verdict = judgeCertificate(target, socket, serverName);
  if (verdict) {
    socket.destroy();
    return verdict;
  }
  const authority = tls.serverNameOverride ?? endpoint;
  return judgeCall(target, tls, await getSystemInfo(socket, authority, callHeaders(target), deadline));
}
