// Findings grouped into the actions a developer takes: one entry per verdict and remedy text,
// naming the workflows it applies to. Pure: used by the DebugStalled recipe and the CLI.
import type { Finding, RemedyAction, Verdict } from '../contract/verdicts.js';

export interface RemedyGroup {
  verdict: Verdict;
  action: RemedyAction;
  text: string;
  autoRecovers: boolean;
  count: number;
  /** The first `maxIds` workflow ids the remedy applies to. */
  workflowIds: string[];
}

/** Groups stalled findings by verdict and remedy text, most frequent first; healthy runs are left out. */
export function groupRemedies(findings: readonly Finding[], maxIds = 20): RemedyGroup[] {
  const groups = new Map<string, RemedyGroup>();
  for (const f of findings) {
    if (!f.stalled) continue;
    const key = `${f.verdict}\u0000${f.remedy.text}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        verdict: f.verdict,
        action: f.remedy.action,
        text: f.remedy.text,
        autoRecovers: f.remedy.autoRecovers,
        count: 0,
        workflowIds: [],
      };
      groups.set(key, group);
    }
    group.count += 1;
    if (group.workflowIds.length < maxIds) group.workflowIds.push(f.workflowId);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}
