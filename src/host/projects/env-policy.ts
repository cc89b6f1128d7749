// Which environment a request may hand a launched process, and what a launched process inherits
// from the control worker. Pure: the policy check and the inherited environment are decided here.

/** The shape of a name a request may set: upper case, digits and `_`, not starting with a digit. */
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * Names a request may not set unless the project or the policy file allows them by name: each
 * makes a loader, an interpreter, a shell or a build tool run code or read files of the caller's
 * choosing. An entry ending in `*` is a prefix.
 */
const DENIED: readonly { names: readonly string[]; why: string }[] = [
  {
    names: [
      'LD_*',
      'DYLD_*',
      'GCONV_PATH',
      'GLIBC_TUNABLES',
      'LOCPATH',
      'NLSPATH',
      'HOSTALIASES',
      'MALLOC_*',
    ],
    why: 'it steers the dynamic loader or the C library',
  },
  { names: ['PYTHON*'], why: 'it changes what the Python interpreter loads or runs' },
  {
    names: [
      'PERL5*',
      'PERLLIB',
      'RUBYOPT',
      'RUBYLIB',
      'NODE_OPTIONS',
      'NODE_PATH',
      'LUA_INIT*',
      'TCLLIBPATH',
    ],
    why: 'it makes an interpreter load code',
  },
  {
    names: ['JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS', 'CLASSPATH'],
    why: 'it makes the JVM load code',
  },
  {
    names: [
      'BASH_*',
      'BASHOPTS',
      'SHELLOPTS',
      'ENV',
      'IFS',
      'PS4',
      'PROMPT_COMMAND',
      'CDPATH',
      'GLOBIGNORE',
      'ZDOTDIR',
      'SHELL',
    ],
    why: 'it makes a shell run code',
  },
  {
    names: ['BROWSER', 'EDITOR', 'VISUAL', 'PAGER', 'MANPAGER', 'LESSOPEN', 'LESSCLOSE', 'TERMINFO*'],
    why: 'a program runs or parses what it names',
  },
  { names: ['GIT_*', 'SSH_*'], why: 'it makes git or ssh run commands' },
  {
    names: ['UV_*', 'PIP_*', 'CONDA_*', 'VIRTUAL_ENV', 'NPM_CONFIG_*', 'MAKE*', 'MFLAGS'],
    why: 'it changes what a package manager or make installs or runs',
  },
  {
    names: ['CC', 'CXX', 'CPP', 'LD', 'AR', 'CFLAGS', 'CXXFLAGS', 'CPPFLAGS', 'LDFLAGS', 'PKG_CONFIG*'],
    why: 'a build of a dependency would run what it names',
  },
  {
    names: ['OPENSSL_*', 'SSLKEYLOGFILE', 'SSL_CERT_*', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'],
    why: 'it loads code or changes which servers are trusted',
  },
  {
    names: ['PATH', 'HOME', 'TMPDIR', 'XDG_*', 'USER', 'LOGNAME'],
    why: 'it changes which programs and configuration files are found',
  },
  { names: ['TEMPORAL_OPS_*'], why: 'it is bookkeeping of this control worker' },
];

/** Exceptions inside the denied families: each only makes its tool do less, so none can run code. */
const ALWAYS_ALLOWED = new Set([
  'PYTHONUNBUFFERED',
  'PYTHONDONTWRITEBYTECODE',
  'UV_OFFLINE',
  'UV_FROZEN',
  'UV_LOCKED',
  'UV_NO_SYNC',
  'UV_NO_PROGRESS',
]);

function matches(name: string, pattern: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** Why the deny-list refuses `name`, or undefined when it does not. */
function deniedBecause(name: string): string | undefined {
  if (ALWAYS_ALLOWED.has(name)) return undefined;
  return DENIED.find((group) => group.names.some((pattern) => matches(name, pattern)))?.why;
}

export interface EnvRefusal {
  name: string;
  rule: 'envName' | 'envDenied';
  why: string;
}

/**
 * The first variable of `env` that a request may not set: its name must have the plain shape and
 * not be on the deny-list, unless `allowed` (the project's and the policy file's lists) names it.
 */
export function refusedEnv(env: Record<string, string>, allowed: readonly string[]): EnvRefusal | undefined {
  for (const name of Object.keys(env)) {
    if (allowed.some((pattern) => matches(name, pattern))) continue;
    if (!ENV_NAME.test(name))
      return { name, rule: 'envName', why: `a name of upper-case letters, digits and "_" is expected` };
    const why = deniedBecause(name);
    if (why) return { name, rule: 'envDenied', why };
  }
  return undefined;
}

/**
 * Connection secrets of the control worker: launched processes get them only when their project
 * asks for them by name.
 */
function isConnectionSecret(name: string): boolean {
  return (
    name === 'TEMPORAL_API_KEY' ||
    name === 'TEMPORAL_CODEC_AUTH' ||
    name.startsWith('TEMPORAL_TLS') ||
    name.startsWith('TEMPORAL_GRPC_META_')
  );
}

/**
 * What a launched process inherits from `source` (the control worker's environment): everything
 * but the connection secrets and our own bookkeeping, plus the secrets `pass` names.
 */
export function inheritedEnv(
  source: Record<string, string | undefined>,
  pass: readonly string[] = [],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const own = name.startsWith('TEMPORAL_OPS_') || isConnectionSecret(name);
    if (!own || pass.includes(name)) env[name] = value;
  }
  return env;
}
