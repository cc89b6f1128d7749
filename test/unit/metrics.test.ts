// Our metrics as they reach the SDK's meter: names, labels, and the gauges a later sweep zeroes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricMeter, MetricTags } from '@temporalio/common';
import {
  METRIC_NAMES,
  notificationsFailed,
  notificationsSent,
  recordIncidentStates,
  recordSweep,
  useMetricMeter,
} from '../../src/temporal/metrics.js';

type Record_ = [name: string, value: number, tags: MetricTags];

/** A meter that keeps every value it is given, in order. */
function recordingMeter(): { meter: MetricMeter; records: Record_[] } {
  const records: Record_[] = [];
  const instrument = (name: string) => {
    const keep = (value: number, tags: MetricTags = {}) => records.push([name, value, tags]);
    return { name, add: keep, set: keep, record: keep };
  };
  const meter = {
    createCounter: instrument,
    createGauge: instrument,
    createHistogram: instrument,
  } as unknown as MetricMeter;
  return { meter, records };
}

describe('metrics', () => {
  it('a sweep records its duration in seconds, what it examined, and zeroes the pairs of its scope it no longer finds', () => {
    const { meter, records } = recordingMeter();
    useMetricMeter(meter);
    const stalled = (verdict: string, taskQueue: string, count: number) => ({ verdict, taskQueue, count });
    recordSweep({
      scope: 'q1 or q2',
      durationMs: 1500,
      examined: 40,
      stalled: [stalled('no-worker', 'q1', 2), stalled('retry-storm', 'q2', 1)],
    });
    recordSweep({ scope: 'other', durationMs: 10, examined: 1, stalled: [stalled('no-worker', 'q9', 1)] });
    records.length = 0;
    recordSweep({
      scope: 'q1 or q2',
      durationMs: 500,
      examined: 41,
      stalled: [stalled('no-worker', 'q1', 3)],
    });
    assert.deepEqual(records, [
      [METRIC_NAMES.sweepDuration, 0.5, {}],
      [METRIC_NAMES.sweepExamined, 41, {}],
      [METRIC_NAMES.stalledWorkflows, 0, { verdict: 'retry-storm', task_queue: 'q2' }],
      [METRIC_NAMES.stalledWorkflows, 3, { verdict: 'no-worker', task_queue: 'q1' }],
    ]);
  });

  it('incident states are set for every unresolved state, missing ones as 0', () => {
    const { meter, records } = recordingMeter();
    useMetricMeter(meter);
    recordIncidentStates({ open: 2, snoozed: 1, resolved: 7 });
    assert.deepEqual(records, [
      [METRIC_NAMES.incidents, 2, { state: 'open' }],
      [METRIC_NAMES.incidents, 0, { state: 'reopened' }],
      [METRIC_NAMES.incidents, 0, { state: 'acknowledged' }],
      [METRIC_NAMES.incidents, 1, { state: 'snoozed' }],
    ]);
  });

  it('notifications are counted by sink kind', () => {
    const { meter, records } = recordingMeter();
    useMetricMeter(meter);
    notificationsSent('slack');
    notificationsSent('webhook', 3);
    notificationsFailed('command');
    assert.deepEqual(records, [
      [METRIC_NAMES.notificationsSent, 1, { sink: 'slack' }],
      [METRIC_NAMES.notificationsSent, 3, { sink: 'webhook' }],
      [METRIC_NAMES.notificationsFailed, 1, { sink: 'command' }],
    ]);
  });
});
