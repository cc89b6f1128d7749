// Reading a Temporal server address (`host:port`, `[v6]:port`, a bare host) for the decisions
// that depend on where the server is.

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

/** True when only this machine can reach the address: localhost, 127.x, ::1, or no address at all. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined || address.trim() === '') return true;
  const host = addressHost(address);
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    host === '::1' ||
    host === '0:0:0:0:0:0:0:1' ||
    host === '::ffff:127.0.0.1'
  );
}
