// The replay gate's cost when nothing changed, against the CleanStart it sits in, measured in the
// same run on a throwaway dev server:
//   node --import tsx bench/gate.bench.ts [--runs 7]
// Each CleanStart restarts the example's worker onto unchanged code, so the gate only compares
// fingerprints (one host activity). Printed: the gate step's median, the whole recipe's median and
// spread (max - min), and gate / spread: below 1 means the gate is within the recipe's own noise.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { CleanStartReport } from '../workflows/clean-start.js';
import { defaultTemporalCli, loadSettings } from '../src/config.js';
import { createControlWorker } from '../src/control-worker.js';
import { readPidRecords } from '../src/host/records/pid-file.js';
import { stopRecorded } from '../src/host/workers/stop.js';
import { exampleProjectDir, venvPython } from '../src/host/projects/example.js';
import { startDevServer, stopDevServers } from '../src/host/server/dev-server.js';
import { freePort } from '../src/host/server/ports.js';
import { loadConnectTarget } from '../src/temporal/connection.js';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const RUNS = Number(flags.runs);
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const root = await mkdtemp(join(tmpdir(), 'gate-bench-'));
  const server = await startDevServer(join(root, 'server'), defaultTemporalCli(), {
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: join(root, 'temporal.db'),
    headless: true,
  });
  const settings = { ...loadSettings(), stateDir: join(root, 'state'), opsTaskQueue: 'ops-gate-bench' };
  const target = loadConnectTarget({ address: server.address, namespace: 'default' });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const worker = await createControlWorker({ target, settings });
  const stop = new AbortController();
  const running = worker.run(stop.signal);
  const gateMs: number[] = [];
  const totalMs: number[] = [];
  try {
    for (let i = 0; i <= RUNS; i++) {
      const started = performance.now();
      const report = (await client.workflow.execute('CleanStart', {
        taskQueue: settings.opsTaskQueue,
        workflowId: `gate-bench-${i}`,
        args: [
          {
            projectDir: exampleProjectDir,
            taskQueue: 'gate-bench',
            workerCommand: `${venvPython} worker.py`,
            start: { workflowType: 'Order', args: [{ orderId: `o-${i}`, items: ['book'] }] },
          },
        ],
      })) as CleanStartReport;
      const elapsed = performance.now() - started;
      if (!report.ok) throw new Error(`CleanStart ${i} not ok: ${report.problem}`);
      const gate = report.steps.find((s) => s.name === 'replay-gate');
      // The first run has no worker to protect; the others restart onto unchanged code.
      if (i === 0) continue;
      if (report.replayGate?.verdict !== 'skipped') throw new Error(`gate ran: ${report.replayGate?.reason}`);
      gateMs.push(gate?.durationMs ?? 0);
      totalMs.push(elapsed);
      log(
        `run ${i}: CleanStart ${elapsed.toFixed(0)} ms, gate ${gate?.durationMs} ms (${report.replayGate.reason})`,
      );
    }
  } finally {
    stop.abort();
    await running;
    for (const record of await readPidRecords(settings.stateDir))
      await stopRecorded(settings.stateDir, record, 3000);
    await client.connection.close();
    await stopDevServers(join(root, 'server'), 5000);
    await rm(root, { recursive: true, force: true });
  }
  const spread = Math.max(...totalMs) - Math.min(...totalMs);
  const rows = [
    ['gate step, code unchanged (median)', `${median(gateMs)} ms`],
    ['CleanStart (median)', `${median(totalMs).toFixed(0)} ms`],
    ['CleanStart spread (max - min)', `${spread.toFixed(0)} ms`],
    ['gate / CleanStart', (median(gateMs) / median(totalMs)).toFixed(3)],
    ['gate / spread (< 1: within noise)', (median(gateMs) / spread).toFixed(2)],
  ];
  process.stdout.write(`${rows.map(([k, v]) => `${k!.padEnd(40)} ${v}`).join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
