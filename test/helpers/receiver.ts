// A local HTTP receiver for notification tests: it counts the messages it accepted (answered 2xx on
// a connection still open), and can hold its first request unanswered, or refuse every one.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface Receiver {
  url: string;
  /** Messages answered 2xx while their sender was still there. */
  accepted: Received[];
  /** Every request that arrived, answered or not. */
  arrived: Received[];
  /** Resolves when the held first request's connection closes unanswered (its sender died). */
  heldClosed: Promise<void>;
  /** Answers every later request with `status`. */
  answer(status: number): void;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1: `hold` leaves the first request unanswered; `status` answers every other. */
export async function startReceiver(options: { hold?: boolean; status?: number } = {}): Promise<Receiver> {
  const accepted: Received[] = [];
  let answerWith = options.status ?? 200;
  const arrived: Received[] = [];
  let markHeldClosed = () => {};
  const heldClosed = new Promise<void>((resolve) => (markHeldClosed = resolve));
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = {
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString()) as unknown,
      };
      arrived.push(received);
      if (options.hold && arrived.length === 1) {
        res.on('close', markHeldClosed);
        return;
      }
      const status = answerWith;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{}', () => {
        if (status < 300 && !res.destroyed) accepted.push(received);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    accepted,
    arrived,
    heldClosed,
    answer: (status) => (answerWith = status),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
