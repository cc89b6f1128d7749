// Our dev-server profile: persistent state, our search attributes, stall flagging, Web UI on.
import { join } from 'node:path';

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
  for (const [name, type] of Object.entries(OPS_SEARCH_ATTRIBUTES))
    args.push('--search-attribute', `${name}=${type}`);
  if (options.headless) args.push('--headless');
  return args;
}
