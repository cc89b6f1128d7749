// One visibility query, page by page: what the sweep, `workflows recent` and the replay check list.
import type { temporal } from '@temporalio/proto';
import type { WorkflowReadClient } from '../temporal/lite/read-client.js';

type ExecutionInfo = temporal.api.workflow.v1.IWorkflowExecutionInfo;

/**
 * Pages through ListWorkflowExecutions, fetching the next page while the current one is consumed.
 * A smaller first page (firstPageSize) lets the caller start on the first runs sooner.
 */
export async function* listExecutions(
  client: WorkflowReadClient,
  query: string,
  pageSize = 500,
  firstPageSize = pageSize,
): AsyncGenerator<ExecutionInfo> {
  const fetchPage = (nextPageToken?: Uint8Array) =>
    client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query,
      pageSize: nextPageToken ? pageSize : firstPageSize,
      nextPageToken,
    });
  let page = await fetchPage();
  for (;;) {
    const token = page.nextPageToken?.length ? page.nextPageToken : undefined;
    const next = token ? fetchPage(token) : undefined;
    // The prefetch is awaited below; until then a rejection must not count as unhandled.
    next?.catch(() => undefined);
    for (const info of page.executions ?? []) yield info;
    if (!next) return;
    page = await next;
  }
}
