// Seals on the records this host writes (pid records, spawn intents): an HMAC under a key kept in
// the state dir, so a record this host did not write is never acted on, whoever put it there.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const keys = new Map<string, Promise<Buffer>>();

async function loadKey(stateDir: string): Promise<Buffer> {
  const path = join(stateDir, 'host.key');
  const existing = await readFile(path).catch(() => undefined);
  if (existing?.length === 32) return existing;
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  // Written whole under a temporary name, then linked into place: a kill at any instant leaves
  // either no key or a whole one, and of two first writers one links and the other reads it.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, randomBytes(32), { mode: 0o600 });
  try {
    await link(tmp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  const key = await readFile(path);
  if (key.length !== 32) throw new Error(`${path} is not a 32-byte key; remove it to make a new one`);
  return key;
}

/** This host's sealing key for `stateDir`, created on first use (0600). */
function hostKey(stateDir: string): Promise<Buffer> {
  let key = keys.get(stateDir);
  if (!key) {
    key = loadKey(stateDir);
    keys.set(stateDir, key);
    key.catch(() => keys.delete(stateDir));
  }
  return key;
}

function macOf(key: Buffer, body: string): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

/** `value` as JSON text with a `seal` field that only this host's key yields. */
export async function sealJson(stateDir: string, value: object): Promise<string> {
  const body = { ...value, seal: undefined };
  const seal = macOf(await hostKey(stateDir), JSON.stringify(body)).toString('hex');
  return JSON.stringify({ ...body, seal }, null, 2) + '\n';
}

/** The value of sealed JSON text, without its seal; undefined when the text is not sealed by this host. */
export async function openSealed<T extends object>(stateDir: string, text: string): Promise<T | undefined> {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const { seal, ...value } = parsed;
  if (typeof seal !== 'string' || !/^[0-9a-f]{64}$/.test(seal)) return undefined;
  const expected = macOf(await hostKey(stateDir), JSON.stringify({ ...value, seal: undefined }));
  return timingSafeEqual(expected, Buffer.from(seal, 'hex')) ? (value as T) : undefined;
}
