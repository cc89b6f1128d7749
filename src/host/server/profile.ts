// Our dev-server profile: persistent state, our search attributes, stall flagging, Web UI on, and
// the namespace of our bookkeeping workflows.
import { join } from 'node:path';
import { DEFAULTS } from '../../defaults.js';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../../contract/search-attributes.js';

/** Search attributes the recipes upsert; they must exist on the server first. */
export const OPS_SEARCH_ATTRIBUTES = {
  OpsRecipe: 'Keyword',
  OpsProject: 'Keyword',
  OpsOutcome: 'Keyword',
} as const;

/** Consecutive workflow task problems after which the server sets TemporalReportedProblems. */
const REPORTED_PROBLEMS_THRESHOLD = 3;

export interface DevServerOptions {
  port: number;
  uiPort: number;
  /**
   * Persistent database file; recipes, schedules and history survive a restart. Without it the
   * server keeps everything in memory, as a bare `temporal server start-dev` does.
   */
  dbFile?: string;
  ip?: string;
  headless?: boolean;
  /** The namespace of our bookkeeping workflows, created with the server (default: DEFAULTS.bookkeepingNamespace). */
  bookkeepingNamespace?: string;
  /** More dynamic config values (`--dynamic-config-value KEY=VALUE`), e.g. a lower per-workflow limit. */
  dynamicConfig?: Readonly<Record<string, number | boolean | string>>;
}

export function defaultDbFile(stateDir: string): string {
  return join(stateDir, 'server', 'temporal.db');
}

/** Arguments to `temporal` that start a dev server with our profile. */
export function devServerArgs(options: DevServerOptions): string[] {
  const args = [
    'server',
    'start-dev',
    '--ip',
    options.ip ?? '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    ...(options.dbFile === undefined ? [] : ['--db-filename', options.dbFile]),
    '--log-level',
    'warn',
    '--dynamic-config-value',
    `system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute=${REPORTED_PROBLEMS_THRESHOLD}`,
    '--dynamic-config-value',
    'frontend.WorkerHeartbeatsEnabled=true',
    '--dynamic-config-value',
    'frontend.ListWorkersEnabled=true',
  ];
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {}))
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  for (const [name, type] of Object.entries(OPS_SEARCH_ATTRIBUTES))
    args.push('--search-attribute', `${name}=${type}`);
  // The dev server registers them in every namespace, so the bookkeeping one has the incidents' too.
  for (const name of INCIDENT_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${name}=Keyword`);
  const bookkeeping = options.bookkeepingNamespace ?? DEFAULTS.bookkeepingNamespace;
  // The dev server creates `default` itself.
  if (bookkeeping !== 'default') args.push('--namespace', bookkeeping);
  if (options.headless) args.push('--headless');
  return args;
}
