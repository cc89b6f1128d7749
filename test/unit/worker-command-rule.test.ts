// The one rule for the worker command, as a table: which source wins, and how the field names it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { workerCommandOf } from '../../src/host/projects/prepare.js';

const registered = { key: 'shop', workerCommand: 'python registered.py' };
const samples = {
  key: 'samples',
  workerCommand: 'python default.py',
  workers: [
    { taskQueue: 'hello', workerCommand: 'python -m hello.worker' },
    { taskQueue: 'orders', workerCommand: 'python -m orders.worker' },
  ],
};
const queuesOnly = { key: 'samples', workers: samples.workers };
const dflt = { command: 'uv run worker', fromEnv: false };
const fromEnv = { command: 'python env.py', fromEnv: true };

describe('workerCommandOf', () => {
  const rows: [string, Parameters<typeof workerCommandOf>, string, string, string][] = [
    [
      'input first',
      [{ workerCommand: 'python given.py' }, registered, 'python rec.py', dflt, '/p'],
      'python given.py',
      'request',
      'workerCommand',
    ],
    [
      'input equal to the registration is the registration',
      [{ workerCommand: 'python registered.py' }, registered, undefined, dflt, '/p'],
      'python registered.py',
      'registration',
      'workerCommand (registered for shop)',
    ],
    [
      'registration before the record',
      [{}, registered, 'python rec.py', dflt, '/p'],
      'python registered.py',
      'registration',
      'workerCommand (registered for shop)',
    ],
    [
      'record before the setting',
      [{}, undefined, 'python rec.py', fromEnv, '/p'],
      'python rec.py',
      'request',
      'workerCommand (recorded: the last worker started in /p)',
    ],
    [
      'TEMPORAL_WORKER_CMD named when it is set',
      [{}, undefined, undefined, fromEnv, '/p'],
      'python env.py',
      'local',
      'workerCommand (from TEMPORAL_WORKER_CMD)',
    ],
    [
      'the default named as the default',
      [{}, undefined, undefined, dflt, '/p'],
      'uv run worker',
      'local',
      'workerCommand (the default, "uv run worker"; TEMPORAL_WORKER_CMD is not set)',
    ],
    [
      "the queue's registered worker before the default registration",
      [{ taskQueue: 'orders' }, samples, 'python rec.py', dflt, '/p'],
      'python -m orders.worker',
      'registration',
      'workerCommand (registered for samples, task queue "orders")',
    ],
    [
      'a queue without a worker of its own takes the default registration',
      [{ taskQueue: 'shipping' }, samples, 'python rec.py', dflt, '/p'],
      'python default.py',
      'registration',
      'workerCommand (registered for samples)',
    ],
    [
      'a queue without a registration of its own, nor a default, takes the record on that queue',
      [{ taskQueue: 'shipping' }, queuesOnly, 'python rec.py', fromEnv, '/p'],
      'python rec.py',
      'request',
      'workerCommand (recorded: the last worker started in /p)',
    ],
    [
      'then TEMPORAL_WORKER_CMD',
      [{ taskQueue: 'shipping' }, queuesOnly, undefined, fromEnv, '/p'],
      'python env.py',
      'local',
      'workerCommand (from TEMPORAL_WORKER_CMD)',
    ],
    [
      "an input equal to another queue's registered command is registration-origin",
      [{ workerCommand: 'python -m hello.worker', taskQueue: 'orders' }, samples, undefined, dflt, '/p'],
      'python -m hello.worker',
      'registration',
      'workerCommand',
    ],
    [
      'no queue named and several workers: the default, not a guess',
      [{}, samples, undefined, dflt, '/p'],
      'python default.py',
      'registration',
      'workerCommand (registered for samples)',
    ],
    [
      'no queue named and one worker: that worker',
      [{}, { key: 'one', workers: [samples.workers[0]!] }, undefined, dflt, '/p'],
      'python -m hello.worker',
      'registration',
      'workerCommand (registered for one, task queue "hello")',
    ],
    [
      'a record equal to the setting is local',
      [{}, undefined, 'uv run worker', dflt, '/p'],
      'uv run worker',
      'local',
      'workerCommand (recorded: the last worker started in /p)',
    ],
  ];
  for (const [what, args, command, origin, field] of rows) {
    it(what, () => {
      assert.deepEqual(workerCommandOf(...args), { command, origin, field });
    });
  }
});
