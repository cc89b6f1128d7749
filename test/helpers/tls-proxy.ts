// A TLS terminator for the connection tests: an HTTP/2 secure server that forwards each gRPC stream
// to the plaintext dev server. It can require a client certificate (mTLS) and an API key
// (`authorization: Bearer <key>`), as a cloud endpoint would.
import { readFile } from 'node:fs/promises';
import {
  connect,
  constants,
  createSecureServer,
  type ClientHttp2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';

export interface TlsProxyOptions {
  /** The plaintext dev server, host:port. */
  upstream: string;
  cert: string;
  key: string;
  /** Require a client certificate signed by this CA (PEM path). */
  clientCa?: string;
  /** Refuse every call without `authorization: Bearer <apiKey>` (gRPC UNAUTHENTICATED). */
  apiKey?: string;
}

export interface TlsProxy {
  /** 127.0.0.1:<port> */
  address: string;
  close(): Promise<void>;
}

const UNAUTHENTICATED = '16';
const HOP_HEADERS = new Set([':path', ':method', ':authority', ':scheme']);

function forwardedHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers))
    if (!name.startsWith(':') || HOP_HEADERS.has(name)) out[name] = value;
  return out;
}

function responseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers))
    if (!name.startsWith(':') || name === ':status') out[name] = value;
  return out;
}

/** Starts the proxy on a free loopback port. */
export async function startTlsProxy(options: TlsProxyOptions): Promise<TlsProxy> {
  const [cert, key, ca] = await Promise.all([
    readFile(options.cert),
    readFile(options.key),
    options.clientCa ? readFile(options.clientCa) : undefined,
  ]);
  let upstream: ClientHttp2Session | undefined;
  const session = () => {
    if (!upstream || upstream.closed || upstream.destroyed) {
      upstream = connect(`http://${options.upstream}`);
      upstream.on('error', () => undefined);
    }
    return upstream;
  };
  const server = createSecureServer({
    cert,
    key,
    ...(ca ? { ca, requestCert: true, rejectUnauthorized: true } : {}),
    allowHTTP1: false,
  });
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    stream.on('error', () => undefined);
    if (options.apiKey !== undefined && headers.authorization !== `Bearer ${options.apiKey}`) {
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': UNAUTHENTICATED,
          'grpc-message': 'the API key is missing or not valid',
        },
        { endStream: true },
      );
      return;
    }
    const forwarded = session().request(forwardedHeaders(headers));
    let trailers: OutgoingHttpHeaders = {};
    forwarded.on('error', () => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
    forwarded.on('response', (response) => {
      // Trailers-only (a gRPC error without a body): the status is in these headers.
      if (response['grpc-status'] !== undefined) {
        stream.respond(responseHeaders(response), { endStream: true });
        return;
      }
      stream.respond(responseHeaders(response), { waitForTrailers: true });
      forwarded.pipe(stream);
    });
    forwarded.on('trailers', (received) => (trailers = responseHeaders(received)));
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    stream.pipe(forwarded);
    stream.on('close', () => {
      if (!forwarded.closed) forwarded.close(constants.NGHTTP2_CANCEL);
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('sessionError', () => undefined);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        upstream?.close();
        server.close(() => resolve());
        // Clients that keep their sessions open would hold close() forever.
        for (const socket of sockets) socket.destroy();
      }),
  };
}
