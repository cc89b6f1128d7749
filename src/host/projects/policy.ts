// Who may run what on this host: a pure check of one request against the local policy.
// Anyone who can start a workflow in the namespace can ask a control worker to run commands,
// so the directories and commands it accepts are decided here, locally, not by the request.
import { sep } from 'node:path';
import type { NotifySink } from '../../contract/notify.js';
import { parseCommand } from './command.js';
import { refusedEnv } from './env-policy.js';

/** The local policy of one control worker, resolved from defaults, the policy file and flags. */
export interface Policy {
  /** The policy file it was read from (named in refusals, so the user knows what to edit). */
  file: string;
  serverAddress: string;
  /** `loopback`: open defaults for a server only this machine reaches; `remote`: registered projects only. */
  defaults: 'loopback' | 'remote';
  /** Real paths of the directories whose projects run without registration. */
  allowedRoots: string[];
  /** Commands given in recipe input that differ from the registration (or the local default). */
  allowFreeFormCommands: boolean;
  /** Commands with shell syntax, for every project (a registration can allow it for its own). */
  allowShell: boolean;
  /** Environment names every project's requests may set beyond the default allow-list (`*` ends a prefix). */
  envAllow: string[];
  /** True for the local CLI user, who may set any environment of their own processes. */
  openEnv?: boolean;
  /**
   * Where URL sinks may POST: each an http(s) URL whose origin must match and whose path must prefix
   * the sink's. Undefined: any URL (a loopback server, whose workflows only this machine starts).
   */
  notifyUrls?: string[];
}

/**
 * Where a command comes from: `registration` (`project add` on this host), `local` (this host's
 * default worker command, TEMPORAL_WORKER_CMD) or `request` (the recipe input: free-form).
 */
export type CommandOrigin = 'registration' | 'local' | 'request';

export interface CommandRequest {
  field: 'workerCommand' | 'start.command';
  command: string;
  origin: CommandOrigin;
}

export interface PolicyRequest {
  /** The project directory's real path. */
  projectDir: string;
  /** Present when the directory was registered on this host with `project add`. */
  registration?: {
    allowShell?: boolean;
    envAllow?: string[];
    allowSharedDir?: boolean;
    /** Every command registered for it (the default and each worker's): each is registration-origin. */
    commands?: string[];
  };
  commands: CommandRequest[];
  /** Environment the request hands the launched processes. */
  env?: Record<string, string>;
  /** Set when others than this user can change the directory: it is world-writable or theirs. */
  sharedDir?: 'world-writable' | 'owned by another user';
}

export type PolicyRule =
  | 'allowedRoots'
  | 'allowFreeFormCommands'
  | 'allowShell'
  | 'envName'
  | 'envDenied'
  | 'sharedDir'
  | 'notifyUrls';

interface PolicyRefusal {
  field: string;
  value: string;
  rule: PolicyRule;
  /** How to allow it. */
  fix: string;
  /** One sentence naming the policy, the rule and the fix. */
  message: string;
}

export type PolicyVerdict = { allowed: true } | ({ allowed: false } & PolicyRefusal);

/** True when `dir` is `root` or lies beneath it (both real paths). */
export function isUnder(dir: string, root: string): boolean {
  if (root === sep) return dir.startsWith(sep);
  return dir === root || dir.startsWith(root.endsWith(sep) ? root : root + sep);
}

function usesShell(command: string): boolean {
  try {
    return parseCommand(command).shell;
  } catch {
    return false; // unparsable: the runnable check reports it with its field
  }
}

function refuse(policy: Policy, field: string, value: string, rule: PolicyRule, why: string, fix: string) {
  const where = `the ${policy.defaults} policy of this host (server ${policy.serverAddress || 'unset'}, ${policy.file})`;
  const message = `${field} ${JSON.stringify(value)} refused by ${where}: ${why}; to allow it, ${fix}`;
  return { allowed: false as const, field, value, rule, fix, message };
}

/** Allows the request, or returns the first rule that refuses it with how to change that. */
export function checkPolicy(policy: Policy, request: PolicyRequest): PolicyVerdict {
  const { projectDir, registration } = request;
  if (!registration && !policy.allowedRoots.some((root) => isUnder(projectDir, root))) {
    const roots = policy.allowedRoots.length ? policy.allowedRoots.join(', ') : 'none';
    return refuse(
      policy,
      'projectDir',
      projectDir,
      'allowedRoots',
      `it is not registered on this host and not under an allowed root (allowedRoots: ${roots})`,
      `register it with \`temporal-ops project add ${projectDir}\` or add a parent directory to allowedRoots in ${policy.file}`,
    );
  }
  if (request.sharedDir && !registration?.allowSharedDir) {
    return refuse(
      policy,
      'projectDir',
      projectDir,
      'sharedDir',
      `the directory is ${request.sharedDir}, so others could change the code this host runs`,
      `fix its owner and mode, or register it with \`temporal-ops project add ${projectDir} --allow-shared-dir\``,
    );
  }
  const env = request.env ?? {};
  const envRefusal = policy.openEnv
    ? undefined
    : refusedEnv(env, [...policy.envAllow, ...(registration?.envAllow ?? [])]);
  if (envRefusal) {
    const { name, rule, why } = envRefusal;
    return refuse(
      policy,
      `env.${name}`,
      env[name] ?? '',
      rule,
      `${why} (rule ${rule}: input env is an allow-list)`,
      `register the project with \`temporal-ops project add ${projectDir} --env-allow ${name}\` or add it to envAllow in ${policy.file}`,
    );
  }
  for (const { field, command, origin: claimed } of request.commands) {
    const origin = registration?.commands?.includes(command) ? 'registration' : claimed;
    if (origin === 'request' && !policy.allowFreeFormCommands) {
      const flag = field === 'workerCommand' ? '--worker-command' : '--start-command';
      return refuse(
        policy,
        field,
        command,
        'allowFreeFormCommands',
        'commands given in recipe input must match the project registration (allowFreeFormCommands: false)',
        `register it with \`temporal-ops project add ${projectDir} ${flag} '${command}'\` or set allowFreeFormCommands: true in ${policy.file}`,
      );
    }
    const shellAllowed = origin === 'local' || policy.allowShell || registration?.allowShell === true;
    if (!shellAllowed && usesShell(command)) {
      return refuse(
        policy,
        field,
        command,
        'allowShell',
        'it uses shell syntax and would run through /bin/sh (allowShell: false)',
        `write it as a plain command, register the project with \`temporal-ops project add ${projectDir} --allow-shell\`, or set allowShell: true in ${policy.file}`,
      );
    }
  }
  return { allowed: true };
}

/**
 * Allows a notification command (a `cmd:` sink of a scheduled sweep) or names the rule that refuses
 * it: it comes from workflow input, so it is free-form (allowFreeFormCommands), and shell syntax
 * needs allowShell, as for any project command.
 */
export function checkSinkCommand(policy: Policy, field: string, value: string): PolicyVerdict {
  const command = value.replace(/^cmd:/, '');
  if (!policy.allowFreeFormCommands)
    return refuse(
      policy,
      field,
      value,
      'allowFreeFormCommands',
      'a notification command comes from workflow input (allowFreeFormCommands: false)',
      `set allowFreeFormCommands: true in ${policy.file}`,
    );
  if (!policy.allowShell && usesShell(command))
    return refuse(
      policy,
      field,
      value,
      'allowShell',
      'it uses shell syntax and would run through /bin/sh (allowShell: false)',
      `write it as a plain command (a script on PATH), or set allowShell: true in ${policy.file}`,
    );
  return { allowed: true };
}

/** True when `url` has the origin of `prefix` and its path begins with the prefix's path. */
export function urlUnder(url: string, prefix: string): boolean {
  let u: URL;
  let p: URL;
  try {
    u = new URL(url);
    p = new URL(prefix);
  } catch {
    return false;
  }
  if (u.origin !== p.origin || u.username !== '' || u.password !== '') return false;
  const path = p.pathname.endsWith('/') ? p.pathname : `${p.pathname}/`;
  return u.pathname === p.pathname || u.pathname.startsWith(path);
}

/**
 * Allows a URL sink (a webhook or Slack sink of a scheduled sweep) or names the rule that refuses
 * it: it comes from workflow input, so a control worker reached by others POSTs only where its
 * policy's notifyUrls say. The refusal names the sink by its label (kind and host): the URL's path
 * may hold a secret, and the refusal is kept in workflow history.
 */
export function checkSinkUrl(policy: Policy, field: string, url: string, label: string): PolicyVerdict {
  const allowed = policy.notifyUrls;
  if (allowed === undefined || allowed.some((prefix) => urlUnder(url, prefix))) return { allowed: true };
  const list = allowed.length > 0 ? allowed.join(', ') : 'none';
  return refuse(
    policy,
    field,
    label,
    'notifyUrls',
    `a URL sink comes from workflow input, and its address is not under notifyUrls (${list})`,
    `add its origin, with a path prefix if you like (e.g. "https://hooks.slack.com/services/"), to notifyUrls in ${policy.file}`,
  );
}

/** Allows a sink of a scheduled sweep (`value` as given, parsed as `sink`) or names the rule that refuses it. */
export function checkSink(policy: Policy, field: string, value: string, sink: NotifySink): PolicyVerdict {
  return sink.kind === 'command'
    ? checkSinkCommand(policy, field, value)
    : checkSinkUrl(policy, field, sink.target, sink.label);
}

/** The policy of a user acting on their own machine through the CLI: every directory and command. */
export function localUserPolicy(): Policy {
  return {
    file: '(the local CLI user)',
    serverAddress: '',
    defaults: 'loopback',
    allowedRoots: [sep],
    allowFreeFormCommands: true,
    allowShell: true,
    envAllow: [],
    openEnv: true,
  };
}
