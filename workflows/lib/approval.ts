// Approval of a risky plan: the `approve` Update (with a validator on the plan ID and the choice),
// a `pendingApproval` query, and the plan shown word for word in the current details meanwhile.
import { condition, defineQuery, defineUpdate, setHandler, uuid4 } from '@temporalio/workflow';
import type { Checklist } from './checklist.js';
import type { OutcomeRecorder } from './outcome.js';

export interface ApprovalRequest {
  planId: string;
  /** True to carry out the plan, false to refuse it (nothing is touched). */
  approve: boolean;
  /** One of the offered choices, when the plan offers several. */
  choice?: string;
  by?: string;
}

export interface PendingApproval {
  planId: string;
  /** What kind of plan (e.g. `clear`, `remedies`, `replay-gate`). */
  kind: string;
  actions: number;
  /** The plan, as markdown. */
  plan: string;
  choices?: string[];
}

export interface ApprovalDecision {
  approved: boolean;
  choice?: string;
  by: string;
  /** True when nobody answered in time (which counts as a refusal). */
  timedOut: boolean;
  planId: string;
}

const approveUpdate = defineUpdate<string, [ApprovalRequest]>('approve');
const pendingApprovalQuery = defineQuery<PendingApproval | null>('pendingApproval');

/** Installs the approval handlers once per recipe run; `ask` waits for one answer per plan. */
export class Approvals {
  private pending: PendingApproval | null = null;
  private answer: ApprovalRequest | undefined;

  constructor(
    private readonly checklist: Checklist,
    private readonly outcome: OutcomeRecorder,
  ) {
    setHandler(pendingApprovalQuery, () => this.pending);
    setHandler(
      approveUpdate,
      (request) => {
        this.answer = request;
        const what = request.choice ? ` with choice ${request.choice}` : '';
        return `plan ${request.planId} ${request.approve ? `approved${what}` : 'rejected'}`;
      },
      { validator: (request) => this.validate(request) },
    );
  }

  private validate(request: ApprovalRequest): void {
    const pending = this.pending;
    if (!pending) throw new Error('nothing is waiting for approval');
    if (request?.planId !== pending.planId)
      throw new Error(`planId: expected "${pending.planId}", got ${JSON.stringify(request?.planId)}`);
    if (typeof request.approve !== 'boolean')
      throw new Error(`approve: expected true or false, got ${JSON.stringify(request.approve)}`);
    if (request.choice !== undefined && !pending.choices?.includes(request.choice))
      throw new Error(
        `choice: expected one of ${(pending.choices ?? []).join(', ') || '(no choices offered)'}, got ${JSON.stringify(request.choice)}`,
      );
  }

  /** Shows the plan and waits for an answer; a timeout is a refusal. */
  async ask(plan: {
    kind: string;
    actions: number;
    markdown: string;
    choices?: string[];
    timeoutSeconds: number;
  }): Promise<ApprovalDecision> {
    const planId = uuid4().slice(0, 8);
    this.pending = {
      planId,
      kind: plan.kind,
      actions: plan.actions,
      plan: plan.markdown,
      choices: plan.choices,
    };
    this.answer = undefined;
    const choice = plan.choices ? ` --choice <${plan.choices.join('|')}>` : '';
    const how = `\`temporal-ops approve <workflow-id> --plan-id ${planId}${choice}\``;
    this.checklist.setNote(
      `**Waiting for approval of plan \`${planId}\`** — ${how}, or the \`approve\` update with \`{"planId": "${planId}", "approve": true}\`:\n\n${plan.markdown}`,
      `Waiting for approval of plan ${planId} (${plan.actions} actions)`,
    );
    this.outcome.record('waiting-approval', `${plan.actions} actions planned; approve plan ${planId}`);
    try {
      // The timer's summary names the wait on the Timeline, the tab the Web UI opens first.
      const answered = await condition(() => this.answer !== undefined, `${plan.timeoutSeconds}s`, {
        summary: `waiting for approval of plan ${planId}: temporal-ops approve <workflow-id>`,
      });
      const answer = this.answer as ApprovalRequest | undefined;
      if (!answered || !answer) return { approved: false, by: 'timeout', timedOut: true, planId };
      return {
        approved: answer.approve,
        choice: answer.choice,
        by: answer.by ?? 'unknown',
        timedOut: false,
        planId,
      };
    } finally {
      this.pending = null;
      this.checklist.setNote('');
      this.outcome.record('running', 'approval answered');
    }
  }
}
