// Certificates for the connection tests, made with the openssl binary into a temporary directory:
// a CA and a server leaf it signed, a client leaf it signed, and a self-signed certificate that is
// its own CA (the shape rustls refuses as a server certificate).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

export interface TestCerts {
  dir: string;
  /** The CA certificate (PEM path) that signed `server` and `client`. */
  ca: string;
  server: { cert: string; key: string };
  client: { cert: string; key: string };
  /** A certificate that is its own CA (basicConstraints CA:TRUE), for localhost and 127.0.0.1. */
  selfSigned: { cert: string; key: string };
}

/** True when an `openssl` binary runs here. */
export async function opensslAvailable(): Promise<boolean> {
  const run = await execa('openssl', ['version'], { reject: false });
  return run.exitCode === 0;
}

const SAN = 'subjectAltName=DNS:localhost,IP:127.0.0.1';

async function openssl(dir: string, args: string[]): Promise<void> {
  await execa('openssl', args, { cwd: dir, stdin: 'ignore' });
}

/** A leaf signed by the CA in `dir`, for `usage` (serverAuth or clientAuth). */
async function signedLeaf(dir: string, name: string, usage: string): Promise<{ cert: string; key: string }> {
  const ext = join(dir, `${name}.ext`);
  await writeFile(
    ext,
    [
      `basicConstraints=critical,CA:FALSE`,
      `keyUsage=digitalSignature`,
      `extendedKeyUsage=${usage}`,
      SAN,
      '',
    ].join('\n'),
  );
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  await openssl(
    dir,
    ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
      '-keyout',
      key,
      '-out',
      join(dir, `${name}.csr`),
      '-subj',
      `/CN=${name}`,
    ]),
  );
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    join(dir, `${name}.csr`),
    '-CA',
    join(dir, 'ca.crt'),
    '-CAkey',
    join(dir, 'ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    cert,
    '-extfile',
    ext,
  ]);
  return { cert, key };
}

/** A self-signed certificate whose basicConstraints say CA (openssl req -x509's default extensions). */
async function selfSignedCa(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  await openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-keyout',
    key,
    '-out',
    cert,
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    SAN,
  ]);
  return { cert, key };
}

/** Makes every certificate of TestCerts in `dir`. */
export async function makeTestCerts(dir: string): Promise<TestCerts> {
  await selfSignedCa(dir, 'ca');
  const server = await signedLeaf(dir, 'server', 'serverAuth');
  const client = await signedLeaf(dir, 'client', 'clientAuth');
  const selfSigned = await selfSignedCa(dir, 'self-signed');
  return { dir, ca: join(dir, 'ca.crt'), server, client, selfSigned };
}
