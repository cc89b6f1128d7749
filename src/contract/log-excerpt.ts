// Our worker logs' lines about one run: what a log search is asked, and what it answers. Pure data:
// the analysis carries excerpts from the host's logs up to workflows and the CLI.

export interface LogExcerpt {
  path: string;
  /** `run`: lines that name the run or workflow; `time`: lines logged within the window around the failure. */
  match: 'run' | 'time';
  lines: string[];
}

export interface LogQuery {
  workflowId: string;
  runId: string;
  taskQueue: string;
  /** Epoch ms of the failing task (or close); enables the time-window fallback. */
  aroundMs?: number;
  windowMs?: number;
  maxLines?: number;
}
