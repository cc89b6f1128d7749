// Reading a Temporal server address (`host:port`, `[v6]:port`, a bare host) for the decisions
// that depend on where the server is. Whether only this machine reaches it is judged by the
// addresses its host resolves to, never by its name: DNS or a hosts entry can point any name anywhere.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** The host part of a server address, without port or IPv6 brackets, lower-cased. */
export function addressHost(address: string): string {
  const text = address.trim().replace(/^[a-z]+:\/\//i, '');
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    return (end < 0 ? text.slice(1) : text.slice(1, end)).toLowerCase();
  }
  // Two or more colons and no brackets: a bare IPv6 address without a port.
  if ((text.match(/:/g) ?? []).length > 1) return text.toLowerCase();
  return text.replace(/:\d*$/, '').toLowerCase();
}

/**
 * The address as a gRPC endpoint (`host:port`, `[v6]:port`), with `defaultPort` when it names none;
 * throws a TypeError naming the address when it has a scheme or is not a host with an optional port.
 */
export function grpcEndpoint(address: string, defaultPort: number): string {
  const parts = /^(?:\[(?<v6>[0-9a-fA-F.:]+)\]|(?<name>[^:/[\]]+))(?::(?<port>\d+))?$/.exec(address)?.groups;
  if (!parts)
    throw new TypeError(
      `Invalid address for Temporal gRPC endpoint: expected 'hostname' or 'hostname:port'; got '${address}'`,
    );
  const host = parts.v6 === undefined ? parts.name : `[${parts.v6}]`;
  return `${host}:${parts.port ?? defaultPort}`;
}

const loopbackNets = new BlockList();
loopbackNets.addSubnet('127.0.0.0', 8, 'ipv4');
loopbackNets.addAddress('::1', 'ipv6');

/** True for an IP address in 127.0.0.0/8, ::1, or 127.x mapped into IPv6 (`::ffff:127.0.0.1`); false for anything else. */
export function isLoopbackIp(ip: string): boolean {
  const family = isIP(ip);
  return family !== 0 && loopbackNets.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** Loopback only when the host resolved to at least one address and every one of them is loopback. */
function allLoopback(resolved: readonly string[]): boolean {
  return resolved.length > 0 && resolved.every(isLoopbackIp);
}

/** The addresses a host name resolves to; rejects when it resolves to none. */
export type ResolveHost = (host: string) => Promise<string[]>;

/** How long a name may take to resolve before it counts as unresolvable. */
const RESOLVE_TIMEOUT_MS = 5000;

/** Every address the system resolver gives `host` (getaddrinfo: hosts file, DNS, IPv4 shorthand such as 127.1). */
async function resolveHost(host: string): Promise<string[]> {
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
}

function withinResolveTimeout<T>(pending: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer in time')), RESOLVE_TIMEOUT_MS);
  });
  return Promise.race([pending, timedOut]).finally(() => clearTimeout(timer));
}

/**
 * True when only this machine can reach the server at `address`: every address its host resolves
 * to is loopback. No address at all means the default, localhost:7233; a host that does not resolve
 * is not loopback.
 */
export async function isLoopbackAddress(
  address: string | undefined,
  resolve: ResolveHost = resolveHost,
): Promise<boolean> {
  const host = (address === undefined ? '' : addressHost(address)) || 'localhost';
  if (isIP(host) !== 0) return isLoopbackIp(host);
  try {
    return allLoopback(await withinResolveTimeout(resolve(host)));
  } catch {
    return false;
  }
}
