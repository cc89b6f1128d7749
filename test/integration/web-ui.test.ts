// The Temporal Web UI in a real browser (Debian's chromium, driven by playwright-core) while a
// CleanStart is in flight: listed by its OpsRecipe search attribute, the step in flight on the
// Timeline (the default tab), its checklist (with the marks the UI can show) and the current step in
// the current details, each activity's summary in the event history. TEMPORAL_OPS_TEST_SCREENSHOTS=<dir> keeps
// a screenshot of every page looked at.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter, type WorkflowHandle } from '@temporalio/client';
import { nanoid } from 'nanoid';
import { chromium, type Browser, type Page } from 'playwright-core';
import { exampleCleanStartInput } from '../../src/host/projects/example.js';
import type { Progress } from '../../workflows/lib/checklist.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/processes.js';

const CHROMIUM = '/usr/bin/chromium';
const uiUrl = process.env.TEMPORAL_OPS_TEST_UI;
const shots = process.env.TEMPORAL_OPS_TEST_SCREENSHOTS;
const missing = !existsSync(CHROMIUM);

if (missing)
  process.stderr.write(
    `\n!!! web-ui.test.ts SKIPPED: ${CHROMIUM} is missing. As root, \`node scripts/setup.mjs --test\` installs it (apt-get install -y chromium). !!!\n\n`,
  );

let h: Harness;
let browser: Browser;

async function shot(page: Page, name: string): Promise<void> {
  if (!shots) return;
  await mkdir(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** Text of the page and of its frames (the UI renders current details in a sandboxed frame). */
async function visibleText(page: Page): Promise<string> {
  const texts = await Promise.all(
    page.frames().map((frame) =>
      frame
        .locator('body')
        .innerText({ timeout: 5000 })
        .catch(() => ''),
    ),
  );
  return texts.join('\n');
}

/** Waits until the page shows every string in `wanted`; fails naming the ones still missing. */
async function expectTexts(page: Page, name: string, wanted: string[]): Promise<void> {
  let lacking = wanted;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const text = await visibleText(page);
    lacking = wanted.filter((w) => !text.includes(w));
    if (lacking.length === 0) break;
    await page.waitForTimeout(500);
  }
  await shot(page, name);
  assert.deepEqual(lacking, [], `${name} page (${page.url()}) lacks these texts`);
}

/** The summary of every activity the recipe scheduled so far, read from its history. */
async function activitySummaries(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .filter((event) => event.activityTaskScheduledEventAttributes)
    .map((event) => {
      const payload = event.userMetadata?.summary;
      return payload ? defaultPayloadConverter.fromPayload<string>(payload) : '';
    });
}

describe('Web UI', { skip: missing && `${CHROMIUM} is missing` }, () => {
  before(async () => {
    assert.ok(uiUrl, 'TEMPORAL_OPS_TEST_UI: scripts/test.ts starts the dev server with its Web UI');
    h = await createHarness();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    await h?.cleanup();
  });

  it('shows an in-flight CleanStart: found by OpsRecipe, its checklist, its activity summaries', async () => {
    const taskQueue = uniqueQueue('orders');
    const approvalId = `approval-${nanoid(8)}`;
    const workflowId = `ui-clean-start-${nanoid(8)}`;
    const input = {
      ...exampleCleanStartInput(taskQueue),
      project: `orders-ui-${nanoid(6)}`,
      // The target waits for a signal, so the recipe stays in flight while the browser looks.
      start: { workflowType: 'Approval', args: [{ requestId: approvalId }], workflowId: approvalId },
    };
    await h.withControlWorker(async () => {
      const handle = await h.client.workflow.start('CleanStart', {
        taskQueue: h.settings.opsTaskQueue,
        workflowId,
        args: [input],
        workflowExecutionTimeout: '5m',
      });
      const progress = await waitFor(
        'the recipe to wait for its target',
        async () => {
          // A query can fail before the first workflow task completes: keep waiting.
          const now = await handle.query<Progress>('progress').catch(() => undefined);
          return now?.steps.find((s) => s.name === 'wait-target')?.outcome === 'running' && now;
        },
        90_000,
      );
      const summaries = await activitySummaries(handle);
      assert.ok(summaries.length >= 6, `activities scheduled so far: ${summaries.length}`);
      assert.ok(
        summaries.every((s) => s !== ''),
        `every activity has a summary: ${JSON.stringify(summaries)}`,
      );
      const run = `${uiUrl}/namespaces/default/workflows/${workflowId}/${handle.firstExecutionRunId}`;
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      try {
        const query = encodeURIComponent(`OpsRecipe="CleanStart" AND WorkflowId="${workflowId}"`);
        await page.goto(`${uiUrl}/namespaces/default/workflows?query=${query}`);
        await page.getByRole('link', { name: workflowId }).waitFor({ timeout: 60_000 });
        await expectTexts(page, 'list', ['RUNNING', 'CleanStart', handle.firstExecutionRunId]);

        // The default tab (Timeline) names the step in flight by its activity's summary.
        await page.goto(run);
        await expectTexts(page, 'timeline', [summaries.at(-1)!]);

        const running = progress.steps.findIndex((step) => step.name === 'wait-target');
        await page.goto(`${run}/user-metadata`);
        await expectTexts(page, 'current-details', [
          'Current Details',
          `Now: step ${running + 1} of ${progress.steps.length}: ${progress.steps[running]!.title}`,
          ...progress.steps.map((step) => step.title),
          '✔',
        ]);
        const details = await visibleText(page);
        assert.ok(
          !/\[[x ]\]/.test(details),
          `no task-list brackets left in the current details:\n${details}`,
        );

        await page.goto(`${run}/history`);
        await expectTexts(page, 'history', ['Activity Task Scheduled', ...summaries]);
      } finally {
        await page.close();
        await h.client.workflow
          .getHandle(approvalId)
          .signal('approve', { approved: true, by: 'web-ui-test' });
        await handle.result();
      }
    });
  });
});
