// Resolving the local policy: defaults by server address, then `<stateDir>/policy.json`, then
// the flags or environment of `serve` / `up` (each field replaces the one before).
import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { packageRoot, type PolicyOverrides } from '../../config.js';
import { HTTP_URL_SHAPE } from '../../contract/notify.js';
import { InvalidInputError } from '../../errors.js';
import { isLoopbackAddress } from '../../temporal/address.js';
import { readJsonFile, writeJsonFile } from '../records/json-file.js';
import type { Policy } from './policy.js';

const fileSchema = z.strictObject({
  allowedRoots: z.array(z.string().min(1)).optional(),
  allowFreeFormCommands: z.boolean().optional(),
  allowShell: z.boolean().optional(),
  envAllow: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\*?$/)).optional(),
  notifyUrls: z
    .array(
      z
        .string()
        .regex(HTTP_URL_SHAPE, 'an http(s) URL')
        .refine((url) => HTTP_URL_SHAPE.exec(url)?.[1] === undefined, 'an http(s) URL without credentials'),
    )
    .optional(),
});

/** The contents of `<stateDir>/policy.json`; every field is optional. */
export type PolicyFile = z.infer<typeof fileSchema>;

export function policyPath(stateDir: string): string {
  return join(stateDir, 'policy.json');
}

/** A root as a real path (`~` is the home directory); a root that does not exist yet is kept as written. */
async function canonicalRoot(root: string, field: string): Promise<string> {
  const expanded = root === '~' ? homedir() : root.startsWith('~/') ? join(homedir(), root.slice(2)) : root;
  if (!isAbsolute(expanded)) throw new InvalidInputError(field, root, 'an absolute directory path');
  return realpath(expanded).catch(() => resolve(expanded));
}

/** Loopback: the home directory and the bundled examples. Any other server: none (registered projects only). */
export function defaultRoots(loopback: boolean): string[] {
  return loopback ? [homedir(), join(packageRoot, 'examples')] : [];
}

/** The policy this host applies to requests from the server at `serverAddress`. */
export async function loadPolicy(
  stateDir: string,
  overrides: PolicyOverrides = {},
  serverAddress?: string,
): Promise<Policy> {
  const file = policyPath(stateDir);
  const expected =
    '{ allowedRoots?: [directories], allowFreeFormCommands?: boolean, allowShell?: boolean, envAllow?: [names], notifyUrls?: [URLs] }';
  const fromFile = await readJsonFile(file, fileSchema, {}, expected);
  const loopback = await isLoopbackAddress(serverAddress);
  const rootsField = overrides.allowedRoots ? 'allowedRoots' : `${file}.allowedRoots`;
  const roots = overrides.allowedRoots ?? fromFile.allowedRoots ?? defaultRoots(loopback);
  // URL sinks may POST anywhere for a loopback server; for any other, only where the file says.
  const notifyUrls = fromFile.notifyUrls ?? (loopback ? undefined : []);
  return {
    file,
    serverAddress: serverAddress ?? '',
    defaults: loopback ? 'loopback' : 'remote',
    allowedRoots: await Promise.all(roots.map((root) => canonicalRoot(root, rootsField))),
    allowFreeFormCommands: overrides.allowFreeFormCommands ?? fromFile.allowFreeFormCommands ?? loopback,
    allowShell: overrides.allowShell ?? fromFile.allowShell ?? false,
    envAllow: fromFile.envAllow ?? [],
    ...(notifyUrls && { notifyUrls }),
  };
}

/** Writes `<stateDir>/policy.json` atomically; returns its path. */
export async function writePolicyFile(stateDir: string, policy: PolicyFile): Promise<string> {
  const path = policyPath(stateDir);
  await writeJsonFile(path, fileSchema.parse(policy));
  return path;
}
