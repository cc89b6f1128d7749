// Our Prometheus metrics, recorded through the SDK's metric meter, so they are served beside the
// SDK's own on the control worker's `--metrics` endpoint. Until a control worker hands in its
// runtime's meter, every record goes to the SDK's no-op meter.
import {
  noopMetricMeter,
  type MetricCounter,
  type MetricGauge,
  type MetricHistogram,
  type MetricMeter,
} from '@temporalio/common';
import { ACTIVE_INCIDENT_STATES, type IncidentState } from '../contract/incidents.js';

/** The names we export (docs/REFERENCE.md lists them with their labels). */
export const METRIC_NAMES = Object.freeze({
  stalledWorkflows: 'temporal_ops_stalled_workflows',
  incidents: 'temporal_ops_incidents',
  sweepDuration: 'temporal_ops_sweep_duration_seconds',
  sweepExamined: 'temporal_ops_sweep_workflows_examined_total',
  notificationsSent: 'temporal_ops_notifications_sent_total',
  notificationsFailed: 'temporal_ops_notifications_failed_total',
} as const);

/** Bucket bounds of our histograms (the SDK's default bounds are milliseconds). */
export const METRIC_BUCKETS: Readonly<Record<string, number[]>> = Object.freeze({
  [METRIC_NAMES.sweepDuration]: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
});

/** One (verdict, task queue) pair of a sweep's stalled findings, and how many runs it counted. */
export interface StalledCount {
  verdict: string;
  taskQueue: string;
  count: number;
}

interface Instruments {
  stalled: MetricGauge;
  incidents: MetricGauge;
  sweepDuration: MetricHistogram;
  sweepExamined: MetricCounter;
  notificationsSent: MetricCounter;
  notificationsFailed: MetricCounter;
}

function instrumentsOf(meter: MetricMeter): Instruments {
  return {
    stalled: meter.createGauge(
      METRIC_NAMES.stalledWorkflows,
      'int',
      '',
      'Stalled target workflows the latest sweep of their task queue found, by verdict and task queue.',
    ),
    incidents: meter.createGauge(
      METRIC_NAMES.incidents,
      'int',
      '',
      'Unresolved incidents by state, as of the latest sweep.',
    ),
    sweepDuration: meter.createHistogram(
      METRIC_NAMES.sweepDuration,
      'float',
      's',
      'How long one stall sweep took to list and diagnose its workflows.',
    ),
    sweepExamined: meter.createCounter(
      METRIC_NAMES.sweepExamined,
      '',
      'Running target workflows the stall sweeps examined.',
    ),
    notificationsSent: meter.createCounter(
      METRIC_NAMES.notificationsSent,
      '',
      'Incident notifications delivered, by sink kind.',
    ),
    notificationsFailed: meter.createCounter(
      METRIC_NAMES.notificationsFailed,
      '',
      'Incident notification deliveries that failed, by sink kind.',
    ),
  };
}

let instruments = instrumentsOf(noopMetricMeter);
/** The (verdict, task queue) pairs each sweep scope set last, so a pair that is gone reads 0. */
const lastStalled = new Map<string, { verdict: string; task_queue: string }[]>();
/** Scopes remembered at most (schedules sweep a few; one-off sweeps with their own queries come and go). */
const MAX_SCOPES = 1000;

/** Records from now on through `meter` (the control worker's runtime meter). */
export function useMetricMeter(meter: MetricMeter): void {
  instruments = instrumentsOf(meter);
  lastStalled.clear();
}

/**
 * Records one finished sweep of `scope` (its visibility query): its duration, the workflows it
 * examined, and its stalled runs by verdict and task queue (pairs it no longer finds read 0).
 */
export function recordSweep(sweep: {
  scope: string;
  durationMs: number;
  examined: number;
  stalled: StalledCount[];
}): void {
  instruments.sweepDuration.record(sweep.durationMs / 1000);
  instruments.sweepExamined.add(sweep.examined);
  const now = sweep.stalled.map((s) => ({ verdict: s.verdict, task_queue: s.taskQueue }));
  const key = (t: { verdict: string; task_queue: string }) => `${t.verdict}\0${t.task_queue}`;
  const current = new Set(now.map(key));
  for (const tags of lastStalled.get(sweep.scope) ?? [])
    if (!current.has(key(tags))) instruments.stalled.set(0, tags);
  sweep.stalled.forEach((s, i) => instruments.stalled.set(s.count, now[i]));
  lastStalled.delete(sweep.scope);
  lastStalled.set(sweep.scope, now);
  // The scope swept longest ago is forgotten first: its pairs keep their last values.
  const oldest = lastStalled.keys().next().value;
  if (lastStalled.size > MAX_SCOPES && oldest !== undefined) lastStalled.delete(oldest);
}

/** Records how many unresolved incidents are in each state (a state missing from `counts` reads 0). */
export function recordIncidentStates(counts: Partial<Record<IncidentState, number>>): void {
  for (const state of ACTIVE_INCIDENT_STATES) instruments.incidents.set(counts[state] ?? 0, { state });
}

/** Counts `count` notifications delivered to a sink of kind `sink` (webhook, slack, command; never its URL). */
export function notificationsSent(sink: string, count = 1): void {
  instruments.notificationsSent.add(count, { sink });
}

/** Counts `count` notification deliveries to a sink of kind `sink` that failed. */
export function notificationsFailed(sink: string, count = 1): void {
  instruments.notificationsFailed.add(count, { sink });
}
