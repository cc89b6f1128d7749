// `temporal-ops worker health`: per worker, alive / polling / uptime / restarts / RSS / CPU / errors.
import { checkHealth, type WorkerHealth } from '../../host/workers/health.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output.js';
import { formatBytes, formatDuration, formatTime } from './worker-format.js';
import { optionalPollers } from './worker-list.js';

/** The human rendering of one worker's health. */
export function formatHealth(h: WorkerHealth, nowMs = Date.now()): string {
  const verdict = h.healthy ? 'healthy' : `UNHEALTHY (${h.state}: ${h.why})`;
  const polling =
    h.pollersSeen === undefined
      ? 'unknown (server not asked)'
      : h.pollersSeen > 0
        ? `yes, last poll ${formatDuration(nowMs - (h.lastPollMs ?? nowMs))} ago`
        : 'no';
  const cpu = h.cpuPercent === undefined ? '-' : `${h.cpuPercent}% now, ${h.cpuSeconds.toFixed(1)} s total`;
  const lines = [
    `${h.project} (pid ${h.pid}, task queue ${h.taskQueue}): ${verdict}`,
    `  alive ${h.memberPids.length > 0 ? `yes (pids ${h.memberPids.join(', ')})` : 'no'}, polling ${polling}`,
    `  uptime ${formatDuration(h.uptimeMs)}, restarts ${h.restarts}, rss ${formatBytes(h.rssBytes)}, cpu ${cpu}`,
    `  code ${h.fingerprint}${h.stale ? ` (stale: the working tree is ${h.currentFingerprint})` : ''}`,
  ];
  if (h.errors.length > 0)
    lines.push('  last errors:', ...h.errors.map((e) => `    ${formatTime(e.timeMs)}  ${e.text}`));
  else lines.push('  no errors in the log of this run');
  if (h.logTail) lines.push(`  log tail:`, ...h.logTail.split('\n').map((l) => `    ${l}`));
  lines.push(`  log ${h.logPath}`);
  return lines.join('\n');
}

export interface HealthOptions {
  /** Only this project (else every recorded one). */
  project?: string;
}

/** Prints health; exit 1 when any worker (or none at all) is unhealthy. */
export async function workerHealth(options: HealthOptions, ctx: CommandContext): Promise<number> {
  const health = await checkHealth(ctx.settings.stateDir, {
    project: options.project,
    pollers: await optionalPollers(ctx),
  });
  if (health.serverError)
    ctx.out.info(`warning: could not ask the server about pollers: ${health.serverError}`);
  ctx.out.result(health, (h) =>
    h.workers.length === 0
      ? `no worker recorded${options.project ? ` for project ${options.project}` : ''}`
      : h.workers.map((w) => formatHealth(w)).join('\n\n'),
  );
  return health.workers.length > 0 && health.workers.every((h) => h.healthy) ? ExitCode.ok : ExitCode.notOk;
}
