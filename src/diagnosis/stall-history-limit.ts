// A run whose history nears the server's limits: the server warns, then terminates it at the error
// limit. Figures come from describe (historyLength, historySizeBytes): no extra call. Pure.
import type { Rule } from './stall-rules.js';
import type { DiagnosisPolicy } from '../contract/verdicts.js';

const MiB = 1024 * 1024;

/** Bytes as MiB with one decimal. */
const formatMiB = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

/** Where the limits in the policy come from, for the evidence. */
function limitsSource(p: DiagnosisPolicy): string {
  return (
    `server dynamic config limit.historyCount.warn/error = ${p.historyWarnEvents}/${p.historyLimitEvents} events and ` +
    `limit.historySize.warn/error = ${formatMiB(p.historyWarnBytes)}/${formatMiB(p.historyLimitBytes)} ` +
    `(the dev server's defaults unless the policy says otherwise: the API does not publish them)`
  );
}

// Rule 6d: the history reached the server's warn limit in events or in bytes.
export const historyLimitRule: Rule = (ctx) => {
  const p = ctx.policy;
  const events = ctx.facts.historyLength;
  const bytes = ctx.facts.historySizeBytes;
  const overEvents = events >= p.historyWarnEvents;
  const overBytes = bytes !== undefined && bytes >= p.historyWarnBytes;
  if (!overEvents && !overBytes) return undefined;
  const parts = [
    `${events} events (${Math.round((100 * events) / p.historyLimitEvents)}% of the ${p.historyLimitEvents}-event limit)`,
    ...(bytes !== undefined
      ? [
          `${formatMiB(bytes)} (${Math.round((100 * bytes) / p.historyLimitBytes)}% of ${formatMiB(p.historyLimitBytes)})`,
        ]
      : []),
  ];
  return {
    verdict: 'history-limit',
    confidence: 'high',
    evidence: {
      summary: `History nears the server's limits, past its warning level: ${parts.join(', ')}; the server terminates the run at the limit (${limitsSource(p)})`,
      historyLimit: {
        events,
        warnEvents: p.historyWarnEvents,
        limitEvents: p.historyLimitEvents,
        ...(bytes !== undefined && { bytes }),
        warnBytes: p.historyWarnBytes,
        limitBytes: p.historyLimitBytes,
      },
    },
  };
};
