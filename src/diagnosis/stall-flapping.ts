// A run that fails and recovers in cycles: between failures a sweep sees a healthy run, so it is judged
// from its recent history, the failures it recovered from. Pure: `now` is passed in.
import { formatAge } from './poller-liveness.js';
import { classifyWorkflowTaskFailure, stackExcerpt } from './stall-workflow-task.js';
import type { Rule } from './stall-rules.js';

/** Recovered failures this recent count towards flapping; older ones are history. */
const FLAPPING_WINDOW_MS = 15 * 60_000;

/** This many recovered failures within the window make a run flapping (one is a run that recovered). */
const FLAPPING_FAILURES = 2;

const firstLine = (text: string): string => text.split('\n', 1)[0] ?? '';

// Rule 5c: no current failure, but the run's recent history holds several workflow task failures it
// recovered from: its verdict is what those failures say.
export const flappingRule: Rule = (ctx) => {
  const recent = (ctx.facts.recoveredFailures ?? []).filter((f) => ctx.now - f.timeMs <= FLAPPING_WINDOW_MS);
  const last = recent[0];
  const oldest = recent[recent.length - 1];
  if (!last || !oldest || recent.length < FLAPPING_FAILURES) return undefined;
  const cls = classifyWorkflowTaskFailure(last);
  return {
    verdict: cls.verdict,
    confidence: 'medium',
    evidence: {
      summary:
        `Flapping: workflow tasks failed ${recent.length} times in the last ${formatAge(Math.max(0, ctx.now - oldest.timeMs))} ` +
        `and recovered in between (this sweep came between failures); last, ${formatAge(Math.max(0, ctx.now - last.timeMs))} ago: ` +
        `${last.cause}: ${firstLine(last.message)}`,
      eventIds: recent.map((f) => f.eventId),
      failureMessage: last.message,
      stackExcerpt: stackExcerpt(last.stackTrace),
    },
  };
};
