// The one rule for the worker command, as a table: which source wins, and how the field names it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { workerCommandOf } from '../../src/processes/prepare.js';

const registered = { key: 'shop', workerCommand: 'python registered.py' };
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
