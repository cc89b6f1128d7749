// Which workflow handler a workflow task failure comes from, read off the Python traceback's frames
// (the SDK calls the user's handler from `handle_update_handler` / `handle_signal`), and, for an
// update, which accepted update it is. Pure.
import type { OpenUpdateFact, WorkflowTaskFailureFact } from '../contract/facts.js';
import type { HandlerEvidence } from '../contract/verdicts.js';

const FRAME = /^\s*File "(.*)", line \d+, in (\S+)\s*$/;
const SDK_FILE = /[\\/]temporalio[\\/]/;
const ENTRIES: Readonly<Record<string, HandlerEvidence['kind']>> = {
  handle_update_handler: 'update',
  handle_update_validator: 'update',
  handle_signal: 'signal',
};

const loose = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The update among the open ones the handler serves: same name but for case and separators, else the only one. */
function updateOf(functionName: string, open: readonly OpenUpdateFact[]): OpenUpdateFact | undefined {
  const named = open.filter((u) => loose(u.name) === loose(functionName));
  if (named.length > 0) return named[named.length - 1];
  return open.length === 1 ? open[0] : undefined;
}

/** The update or signal handler whose exception failed the workflow task; undefined when the run method failed. */
export function failingHandler(
  failure: WorkflowTaskFailureFact,
  openUpdates: readonly OpenUpdateFact[] = [],
): HandlerEvidence | undefined {
  const frames = (failure.stackTrace ?? '')
    .split('\n')
    .map((line) => FRAME.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ file: m[1] ?? '', fn: m[2] ?? '' }));
  let entry = -1;
  frames.forEach((f, i) => {
    if (ENTRIES[f.fn] && SDK_FILE.test(f.file)) entry = i;
  });
  const kind = ENTRIES[frames[entry]?.fn ?? ''];
  if (!kind) return undefined;
  const user = frames.slice(entry + 1).find((f) => !SDK_FILE.test(f.file));
  const handler: HandlerEvidence = { kind, functionName: user?.fn ?? 'unknown' };
  const update = kind === 'update' ? updateOf(handler.functionName, openUpdates) : undefined;
  if (update) {
    handler.updateName = update.name;
    handler.updateId = update.updateId;
  }
  return handler;
}

/** The handler in words, for a finding's summary. */
export function handlerText(h: HandlerEvidence): string {
  if (h.kind === 'signal') return `in signal handler ${h.functionName}`;
  const which =
    h.updateId !== undefined
      ? `update "${h.updateName ?? ''}", ID ${h.updateId}`
      : 'the update was not accepted, so history holds no ID';
  return `in update handler ${h.functionName} (${which})`;
}
