// Every way in, tried as an attacker who can only start workflows in the namespace, against a
// control worker whose policy runs registered projects only: through the recipes, and through a
// workflow of the test's own that schedules the host activities directly with chosen arguments.
// Each attack must be refused, and the file it would have created must be absent afterwards.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import { packageRoot } from '../../src/config.js';
import { pidDir, readPidRecords } from '../../src/host/records/pid-file.js';
import { readProc } from '../../src/host/records/proc.js';
import { spawnDetached } from '../../src/host/workers/spawn.js';
import { loadPolicy, writePolicyFile } from '../../src/host/projects/load-policy.js';
import { isLoopbackAddress, type ResolveHost } from '../../src/temporal/address.js';
import { addProject } from '../../src/host/projects/registry.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { copyOrders, scratchDir, venvPython, waitFor } from '../helpers/processes.js';

let h: Harness;
// Synchronous, so the attack table (built when the suites are declared) can name files in it.
const root = mkdtempSync(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? tmpdir(), 'security-'));
let attackQueue: string;
let attacker: Worker;
let attackerRun: Promise<void>;
let python: { dir: string; key: string; taskQueue: string };
let bash: { dir: string; key: string; taskQueue: string };

const hostQueue = () => `${h.settings.opsTaskQueue}@${h.settings.host}`;
const marker = (name: string) => join(root, `${name}-${nanoid(6)}.marker`);
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** A registered project: a copy of the orders example (plus `files`), its worker run by `workerCommand`. */
async function registered(
  name: string,
  workerCommand: (dir: string) => string,
  files: Record<string, string> = {},
) {
  const dir = await copyOrders(await scratchDir(name));
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  const taskQueue = uniqueQueue(name);
  const entry = await addProject(h.settings.stateDir, {
    projectDir: dir,
    workerCommand: workerCommand(dir),
    taskQueue,
  });
  return { dir, key: entry.key, taskQueue };
}

/** What an attacker can do: schedule `activity` with `args` on `taskQueue`; returns the failure it ended with. */
async function schedule(
  taskQueue: string,
  activity: string,
  args: unknown[],
): Promise<{ type?: string; message: string }> {
  const error = await h.client.workflow
    .execute('ScheduleActivity', {
      taskQueue: attackQueue,
      workflowId: `attack-${activity}-${nanoid(6)}`,
      args: [{ taskQueue, activity, args }],
      workflowExecutionTimeout: '3m',
    })
    .then(
      (result) =>
        assert.fail(`${activity} was expected to be refused; it returned ${JSON.stringify(result)}`),
      (e: unknown) => e,
    );
  assert.ok(error instanceof WorkflowFailedError, String(error));
  const cause = (error.cause?.cause ?? error.cause) as { type?: string; message: string } | undefined;
  return { type: cause?.type, message: cause?.message ?? '' };
}

/** Runs recipe `type` with `input`; returns the failure of a refused recipe (PolicyRefusedError expected). */
async function recipeRefusal(
  type: string,
  input: Record<string, unknown>,
): Promise<{ type?: string; message: string }> {
  const error = await h.client.workflow
    .execute(type, {
      taskQueue: h.settings.opsTaskQueue,
      workflowId: `attack-${type}-${nanoid(6)}`,
      args: [{ readyTimeoutSeconds: 30, graceSeconds: 2, ...input }],
      workflowExecutionTimeout: '3m',
    })
    .then(
      (report) =>
        assert.fail(`${type} was expected to be refused; it ended ${JSON.stringify(report).slice(0, 400)}`),
      (e: unknown) => e,
    );
  assert.ok(error instanceof WorkflowFailedError, String(error));
  const cause = error.cause as { type?: string; message: string } | undefined;
  return { type: cause?.type, message: cause?.message ?? '' };
}

interface EnvAttack {
  name: string;
  project: () => { dir: string; key: string; taskQueue: string };
  /** The file the attack would create. */
  marker: string;
  env: Record<string, string>;
  /** The field the refusal names. */
  refused: string;
  /** A file the attack points at (an attacker would use one already on the host). */
  payload?: { path: string; text: string };
}

/** Each input `env` that would run the attacker's code, with the project it targets and the file it would create. */
function envAttacks(): EnvAttack[] {
  const browser = marker('browser');
  const bashEnv = marker('bash-env');
  return [
    {
      name: 'PYTHONWARNINGS + BROWSER (imports antigravity, which opens $BROWSER)',
      project: () => python,
      marker: browser,
      env: { PYTHONWARNINGS: 'ignore::antigravity.Warning', BROWSER: `/bin/sh -c "touch ${browser}" %s` },
      refused: 'env.PYTHONWARNINGS',
    },
    {
      name: 'BASH_ENV (a bash worker sources it first)',
      project: () => bash,
      marker: bashEnv,
      env: { BASH_ENV: join(root, 'evil.sh') },
      refused: 'env.BASH_ENV',
      payload: { path: join(root, 'evil.sh'), text: `touch ${bashEnv}\n` },
    },
    {
      name: 'PERL5OPT',
      project: () => python,
      marker: marker('perl'),
      env: { PERL5OPT: '-e1' },
      refused: 'env.PERL5OPT',
    },
    {
      name: 'LD_PRELOAD',
      project: () => python,
      marker: marker('ld'),
      env: { LD_PRELOAD: '/tmp/x.so' },
      refused: 'env.LD_PRELOAD',
    },
    {
      name: 'NODE_OPTIONS',
      project: () => python,
      marker: marker('node'),
      env: { NODE_OPTIONS: '--require /tmp/x.js' },
      refused: 'env.NODE_OPTIONS',
    },
    {
      name: 'PYTHONSTARTUP',
      project: () => python,
      marker: marker('startup'),
      env: { PYTHONSTARTUP: '/tmp/x.py' },
      refused: 'env.PYTHONSTARTUP',
    },
    {
      name: 'PYTHONPATH',
      project: () => python,
      marker: marker('path'),
      env: { PYTHONPATH: '/tmp' },
      refused: 'env.PYTHONPATH',
    },
    {
      name: 'PATH',
      project: () => python,
      marker: marker('PATH'),
      env: { PATH: '/tmp' },
      refused: 'env.PATH',
    },
    {
      name: 'a lower-case name',
      project: () => python,
      marker: marker('lower'),
      env: { ld_preload: '/tmp/x.so' },
      refused: 'env.ld_preload',
    },
  ];
}

before(async () => {
  h = await createHarness();
  // What a control worker serving a remote server applies: registered projects only, no free-form commands.
  await writePolicyFile(h.settings.stateDir, { allowedRoots: [], allowFreeFormCommands: false });
  h.settings.policy = {};
  python = await registered('sec-python', () => `${venvPython} worker.py`);
  bash = await registered('sec-bash', () => 'bash worker.sh', {
    'worker.sh': `exec ${venvPython} worker.py\n`,
  });
  const bundle = await bundleWorkflowCode({
    workflowsPath: join(packageRoot, 'test', 'helpers', 'step-workflows.ts'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } as never,
  });
  attackQueue = uniqueQueue('attacker');
  const connection = await NativeConnection.connect({ address: testTarget().address });
  attacker = await Worker.create({ connection, taskQueue: attackQueue, workflowBundle: bundle });
  attackerRun = attacker.run().finally(() => connection.close());
});

after(async () => {
  attacker.shutdown();
  await attackerRun;
  await h.cleanup();
});

describe('the payloads are live', () => {
  it('runs each payload when a process is launched with it outside the policy (so the refusals below mean something)', async () => {
    for (const attack of envAttacks().filter(
      (a) => a.name.startsWith('PYTHONWARNINGS') || a.name.startsWith('BASH_ENV'),
    )) {
      if (attack.payload) await writeFile(attack.payload.path, attack.payload.text);
      const project = attack.project();
      const command = project === bash ? 'bash -c true' : `${venvPython} -c pass`;
      const spawned = await spawnDetached({
        command,
        cwd: project.dir,
        env: attack.env,
        logPath: join(root, 'live.log'),
      });
      await spawned.exited;
      await waitFor(`${attack.name} to create its marker`, () => exists(attack.marker));
      await rm(attack.marker);
    }
  });
});

describe('input env is an allow-list', () => {
  for (const attack of envAttacks()) {
    it(`refuses ${attack.name} through EnsureWorker and straight on the host queue, and nothing runs`, async () => {
      if (attack.payload) await writeFile(attack.payload.path, attack.payload.text);
      const project = attack.project();
      await h.withControlWorker(async () => {
        const viaRecipe = await recipeRefusal('EnsureWorker', {
          projectDir: project.dir,
          taskQueue: project.taskQueue,
          env: attack.env,
        });
        assert.equal(viaRecipe.type, 'PolicyRefusedError', viaRecipe.message);
        assert.ok(viaRecipe.message.includes(`${attack.refused} "`), viaRecipe.message);
        const prepared = {
          project: project.key,
          projectDir: project.dir,
          workerCommand: project === bash ? 'bash worker.sh' : `${venvPython} worker.py`,
          taskQueue: project.taskQueue,
          env: attack.env,
        };
        for (const [activity, args] of [
          ['ensureWorker', [prepared]],
          [
            'replayOpenWorkflows',
            [{ projectDir: project.dir, taskQueue: project.taskQueue, env: attack.env }],
          ],
          [
            'runStarter',
            [
              {
                projectDir: project.dir,
                taskQueue: project.taskQueue,
                command: 'bash worker.sh',
                env: attack.env,
              },
            ],
          ],
        ] as const) {
          const direct = await schedule(hostQueue(), activity, [...args]);
          assert.equal(direct.type, 'PolicyRefusedError', `${activity}: ${direct.message}`);
        }
      });
      assert.equal(await exists(attack.marker), false, `${attack.marker} must not exist`);
      const live = (await readPidRecords(h.settings.stateDir, { project: project.key })).filter((r) =>
        readProc(r.pid),
      );
      assert.deepEqual(live, [], 'no worker was started');
    });
  }

  it('lets a project widen the list by name (project add --env-allow)', async () => {
    const widened = await registered('sec-widened', () => `${venvPython} worker.py`);
    await addProject(h.settings.stateDir, {
      projectDir: widened.dir,
      workerCommand: `${venvPython} worker.py`,
      taskQueue: widened.taskQueue,
      envAllow: ['PYTHONDONTWRITEBYTECODE'],
    });
    await h.withControlWorker(async () => {
      const report = await h.client.workflow.execute('EnsureWorker', {
        taskQueue: h.settings.opsTaskQueue,
        workflowId: `widened-${nanoid(6)}`,
        args: [
          {
            projectDir: widened.dir,
            taskQueue: widened.taskQueue,
            env: { PYTHONDONTWRITEBYTECODE: '1', LOG_LEVEL: 'debug' },
            readyTimeoutSeconds: 30,
            graceSeconds: 2,
          },
        ],
        workflowExecutionTimeout: '3m',
      });
      assert.equal((report as { ok: boolean }).ok, true, JSON.stringify(report));
    });
  });
});

describe('host activities are not an open API', () => {
  it('has no activity that reads a file or waits on a record given as input', async () => {
    await h.withControlWorker(async () => {
      for (const [activity, args] of [
        ['readLogTail', [{ logPath: '/etc/passwd' }]],
        [
          'waitWorkerReady',
          [{ project: python.key, pid: 1, logPath: '/etc/passwd', taskQueue: python.taskQueue }],
        ],
        [
          'startWorker',
          [
            {
              project: python.key,
              projectDir: python.dir,
              workerCommand: `${venvPython} worker.py`,
              taskQueue: python.taskQueue,
            },
          ],
        ],
        ['listWorkers', [{}]],
        ['workerHealth', [{}]],
      ] as const) {
        const failure = await schedule(hostQueue(), activity, [...args]);
        assert.doesNotMatch(failure.message, /root:x:0:0/, `${activity} echoed /etc/passwd`);
        assert.match(failure.message, /not registered|not found|unknown/i, `${activity}: ${failure.message}`);
      }
    });
  });

  it('reads the files of projects this host knows only', async () => {
    await h.withControlWorker(async () => {
      for (const [activity, args] of [
        ['projectFingerprint', [{ projectDir: '/etc' }]],
        ['waitForCodeChange', [{ projectDir: '/etc', baseline: 'x', seconds: 1 }]],
        ['codeFingerprints', [{ project: python.key, projectDir: '/etc', taskQueue: python.taskQueue }]],
        [
          'codeFingerprints',
          [{ project: 'someone-else', projectDir: python.dir, taskQueue: python.taskQueue }],
        ],
      ] as const) {
        const failure = await schedule(hostQueue(), activity, [...args]);
        assert.equal(failure.type, 'PolicyRefusedError', `${activity}: ${failure.message}`);
      }
    });
  });

  it('never signals a process named by a record this host did not write', async () => {
    const victim = execa('sleep', ['300'], {
      detached: true,
      cleanup: false,
      stdio: 'ignore',
      reject: false,
    });
    const pid = victim.pid ?? assert.fail('sleep did not start');
    const proc = readProc(pid) ?? assert.fail('no /proc entry for sleep');
    const forged = {
      kind: 'worker',
      pid,
      pgid: pid,
      startTime: proc.startTime,
      cmdline: proc.cmdline,
      cwd: python.dir,
      project: python.key,
      taskQueue: python.taskQueue,
      logPath: '/etc/passwd',
      fingerprint: 'x',
      command: 'sleep 300',
      startedAt: new Date().toISOString(),
      host: h.settings.host,
    };
    await mkdir(pidDir(h.settings.stateDir), { recursive: true });
    await writeFile(
      join(pidDir(h.settings.stateDir), `worker-${python.key}-${pid}.json`),
      JSON.stringify(forged),
    );
    try {
      await h.withControlWorker(async () => {
        await h.client.workflow.execute('ScheduleActivity', {
          taskQueue: attackQueue,
          workflowId: `attack-stop-${nanoid(6)}`,
          args: [
            {
              taskQueue: hostQueue(),
              activity: 'stopWorkers',
              args: [{ project: python.key, graceSeconds: 1, spareStartedAfterMs: 0 }],
            },
          ],
          workflowExecutionTimeout: '2m',
        });
      });
      assert.ok(readProc(pid), 'the process named by the forged record is still alive');
    } finally {
      victim.kill('SIGKILL');
    }
  });
});

describe('workers get a clean environment', () => {
  it('keeps the control worker’s connection secrets from target workers unless the project names them', async () => {
    const envWorker = [
      'import json, os, sys',
      'open("env.json", "w").write(json.dumps(dict(os.environ)))',
      'os.execv(sys.executable, [sys.executable, "worker.py"])',
      '',
    ].join('\n');
    const project = await registered('sec-env', () => `${venvPython} env_worker.py`, {
      'env_worker.py': envWorker,
    });
    const dump = join(project.dir, 'env.json');
    const ensure = () =>
      h.client.workflow.execute('EnsureWorker', {
        taskQueue: h.settings.opsTaskQueue,
        workflowId: `clean-env-${nanoid(6)}`,
        args: [
          { projectDir: project.dir, taskQueue: project.taskQueue, readyTimeoutSeconds: 30, graceSeconds: 2 },
        ],
        workflowExecutionTimeout: '3m',
      });
    const secret = `secret-${nanoid(8)}`;
    await h.withControlWorker(async () => {
      // Set after the control worker connected: only the launched processes may see it.
      process.env.TEMPORAL_API_KEY = secret;
      try {
        assert.equal(((await ensure()) as { ok: boolean }).ok, true);
        const env = JSON.parse(await readFile(dump, 'utf8')) as Record<string, string>;
        assert.equal(env.TEMPORAL_API_KEY, undefined, 'the API key reached the worker');
        assert.equal(env.TEMPORAL_ADDRESS, testTarget().address);
        await addProject(h.settings.stateDir, {
          projectDir: project.dir,
          workerCommand: `${venvPython} env_worker.py`,
          taskQueue: project.taskQueue,
          passEnv: ['TEMPORAL_API_KEY'],
        });
        await rm(dump);
        assert.equal(((await ensure()) as { ok: boolean }).ok, true);
        const passed = JSON.parse(await readFile(dump, 'utf8')) as Record<string, string>;
        assert.equal(passed.TEMPORAL_API_KEY, secret, 'a project that names the key gets it');
      } finally {
        delete process.env.TEMPORAL_API_KEY;
      }
    });
  });

  it('refuses a world-writable project directory unless it is registered with --allow-shared-dir', async () => {
    const project = await registered('sec-shared', () => `${venvPython} worker.py`);
    await chmod(project.dir, 0o777);
    await h.withControlWorker(async () => {
      const refused = await recipeRefusal('EnsureWorker', {
        projectDir: project.dir,
        taskQueue: project.taskQueue,
      });
      assert.equal(refused.type, 'PolicyRefusedError', refused.message);
      assert.match(refused.message, /world-writable/);
      assert.match(refused.message, /--allow-shared-dir/);
      await addProject(h.settings.stateDir, {
        projectDir: project.dir,
        workerCommand: `${venvPython} worker.py`,
        taskQueue: project.taskQueue,
        allowSharedDir: true,
      });
      const report = await h.client.workflow.execute('EnsureWorker', {
        taskQueue: h.settings.opsTaskQueue,
        workflowId: `shared-${nanoid(6)}`,
        args: [
          { projectDir: project.dir, taskQueue: project.taskQueue, readyTimeoutSeconds: 30, graceSeconds: 2 },
        ],
        workflowExecutionTimeout: '3m',
      });
      assert.equal((report as { ok: boolean }).ok, true);
    });
  });
});

describe('regular expressions from input are bounded', () => {
  it('refuses a pattern RE2 cannot run, and matches a backtracking one in linear time while the worker stays responsive', async () => {
    const starterDir = python.dir;
    await h.withControlWorker(async () => {
      const refused = await recipeRefusal('CleanStart', {
        projectDir: starterDir,
        taskQueue: python.taskQueue,
        start: { command: 'bash worker.sh', workflowIdPattern: '(?=x)(\\w+)' },
      });
      assert.equal(refused.type, 'InvalidInputError', refused.message);
      assert.match(refused.message, /start\.workflowIdPattern/);
      // The pattern, which backtracks without end in a backtracking engine on a run ID,
      // scheduled straight on the host queue: the step ends (any outcome) and the host still answers.
      const runId = '01a24169-0071-7b83-a35a-add19b95f00c';
      const outcome = await schedule(hostQueue(), 'runStarter', [
        {
          projectDir: bash.dir,
          taskQueue: bash.taskQueue,
          command: 'bash worker.sh',
          workflowIdPattern: '([\\w-]|[0-9a-f-])+Z',
          timeoutSeconds: 5,
          env: { NOTE: runId },
        },
      ]);
      assert.ok(outcome.message.length > 0);
      const after = await h.client.workflow.execute('ScheduleActivity', {
        taskQueue: attackQueue,
        workflowId: `after-regex-${nanoid(6)}`,
        args: [
          { taskQueue: hostQueue(), activity: 'projectFingerprint', args: [{ projectDir: python.dir }] },
        ],
        workflowExecutionTimeout: '1m',
      });
      assert.equal(typeof after, 'string', 'the control worker still serves host activities');
    });
  });
});

describe('loopback is judged by address', () => {
  it('gives a name the open policy only when every address it resolves to is loopback', async () => {
    const toRemote: ResolveHost = () => Promise.resolve(['10.0.0.5']);
    assert.equal(await isLoopbackAddress('evil.localhost:7233', toRemote), false);
    assert.equal(
      await isLoopbackAddress('mixed.example:7233', () => Promise.resolve(['127.0.0.1', '10.0.0.5'])),
      false,
    );
    assert.equal(await isLoopbackAddress('127.1:7233'), true);
    const policy = await loadPolicy(h.settings.stateDir, {}, `attacker-${nanoid(6)}.invalid:7233`);
    assert.equal(policy.defaults, 'remote');
    assert.equal(policy.allowFreeFormCommands, false);
  });
});
