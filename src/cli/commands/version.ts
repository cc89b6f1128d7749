// `temporal-ops --version`: our version, and the Temporal CLI and server this invocation would use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { findTemporalCli, packageRoot, type TemporalCliSource } from '../../config.js';
import { hasWorkflowSources } from '../../workflow-bundle.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output.js';

export interface VersionReport {
  temporalOps: { version: string; root: string; checkout: boolean };
  temporalCli: { path: string; source: TemporalCliSource; version?: string; error?: string };
  server: { address: string; namespace: string; version?: string; error?: string };
}

const SOURCE_TEXT: Record<TemporalCliSource, string> = {
  TEMPORAL_CLI: 'from TEMPORAL_CLI',
  PATH: 'first on PATH',
  setup: "the copy temporal-ops's setup installed",
  none: 'not found: set TEMPORAL_CLI or put `temporal` on PATH',
};

async function cliVersion(path: string): Promise<{ version?: string; error?: string }> {
  const result = await execa(path, ['--version'], { reject: false, timeout: 10_000, stdin: 'ignore' });
  if (result.exitCode === 0) return { version: result.stdout.trim() };
  const reason = result.stderr?.trim() || result.shortMessage || 'no output';
  return { error: reason.split('\n')[0] ?? reason };
}

async function serverVersion(ctx: CommandContext): Promise<{ version?: string; error?: string }> {
  try {
    const client = await ctx.client();
    const info = await client.workflowService.getSystemInfo({});
    return { version: info.serverVersion || 'unknown' };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function render(report: VersionReport): string {
  const { temporalOps: ops, temporalCli: cli, server } = report;
  return [
    `temporal-ops ${ops.version} (${ops.checkout ? 'checkout' : 'installed'} at ${ops.root})`,
    `temporal CLI: ${cli.version ?? `unusable (${cli.error})`} — ${cli.path}, ${SOURCE_TEXT[cli.source]}`,
    `server: ${server.version ? `Temporal ${server.version}` : `none answers (${server.error})`} at ${server.address}, namespace ${server.namespace}`,
  ].join('\n');
}

/** Prints the three versions; exit 0 even when no CLI or server is found (the lines say so). */
export async function version(_options: object, ctx: CommandContext): Promise<number> {
  const { version: ours } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  const cli = findTemporalCli();
  const [cliFound, serverFound] = await Promise.all([cliVersion(cli.path), serverVersion(ctx)]);
  const report: VersionReport = {
    temporalOps: { version: ours, root: packageRoot, checkout: hasWorkflowSources() },
    temporalCli: { ...cli, ...cliFound },
    server: { address: ctx.target.address, namespace: ctx.target.namespace, ...serverFound },
  };
  ctx.out.result(report, render);
  return ExitCode.ok;
}
