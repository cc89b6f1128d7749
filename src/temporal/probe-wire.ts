// The wire side of the connection probe: a TLS handshake that accepts any certificate (the probe
// judges it), and one empty GetSystemInfo call over it. Outcomes are error codes and gRPC statuses.
import { connect as http2Connect, type IncomingHttpHeaders } from 'node:http2';
import { isIP } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

/** The TLS settings of a connection config, as the SDK reads them (an API key alone turns TLS on). */
export interface TlsSettings {
  serverNameOverride?: string;
  serverRootCACertificate?: Uint8Array;
  clientCertPair?: { crt: Uint8Array; key: Uint8Array };
}

const GET_SYSTEM_INFO = '/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo';

/** The `code` of a Node error (an OpenSSL or socket code), or the empty string. */
const codeOf = (error: unknown): string => String((error as { code?: unknown } | null)?.code ?? '');

export interface Handshake {
  socket?: TLSSocket;
  errorCode?: string;
}

/** A TLS handshake that accepts any certificate (the probe judges it), bounded by `deadline`. */
export function handshake(
  host: string,
  port: number,
  serverName: string,
  tls: TlsSettings,
  deadline: number,
): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host,
      port,
      ...(isIP(serverName) === 0 ? { servername: serverName } : {}),
      ALPNProtocols: ['h2'],
      rejectUnauthorized: false,
      ...(tls.serverRootCACertificate ? { ca: Buffer.from(tls.serverRootCACertificate) } : {}),
      ...(tls.clientCertPair
        ? { cert: Buffer.from(tls.clientCertPair.crt), key: Buffer.from(tls.clientCertPair.key) }
        : {}),
    });
    const timer = setTimeout(() => finish({}), Math.max(0, deadline - Date.now()));
    function finish(result: Handshake) {
      clearTimeout(timer);
      socket.removeAllListeners('secureConnect');
      if (!result.socket) socket.destroy();
      resolve(result);
    }
    socket.once('secureConnect', () => finish({ socket }));
    socket.on('error', (error) => finish({ errorCode: codeOf(error) }));
  });
}

export interface CallOutcome {
  grpcStatus?: string;
  grpcMessage?: string;
  errorCode?: string;
  /** The server closed the connection before its first HTTP/2 frame (a TLS server refusing the client). */
  closedAtOnce?: boolean;
}

/** One empty GetSystemInfo call over the handshaken socket, with the config's headers. */
export function getSystemInfo(
  socket: TLSSocket,
  authority: string,
  headers: Record<string, string>,
  deadline: number,
): Promise<CallOutcome> {
  return new Promise((resolve) => {
    let status: IncomingHttpHeaders = {};
    let settings = false;
    let done = false;
    const timer = setTimeout(() => finish(), Math.max(0, deadline - Date.now()));
    const session = http2Connect(`https://${authority}`, { createConnection: () => socket });
    function finish(error?: unknown) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const timedOut = error === undefined && status['grpc-status'] === undefined && !session.closed;
      session.destroy();
      socket.destroy();
      resolve({
        grpcStatus: status['grpc-status'] as string | undefined,
        grpcMessage: status['grpc-message'] as string | undefined,
        ...(error === undefined ? {} : { errorCode: codeOf(error) }),
        closedAtOnce: !settings && !timedOut,
      });
    }
    const fromHeaders = (received: IncomingHttpHeaders) => {
      if (received['grpc-status'] !== undefined) status = received;
    };
    session.once('remoteSettings', () => (settings = true));
    session.on('error', finish);
    socket.on('error', finish);
    const call = session.request({
      ':method': 'POST',
      ':path': GET_SYSTEM_INFO,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    });
    call.on('response', fromHeaders);
    call.on('trailers', fromHeaders);
    call.on('error', finish);
    call.on('data', () => undefined);
    call.on('close', () => finish());
    // An empty request message: no compression flag, zero length.
    call.end(Buffer.alloc(5));
  });
}
