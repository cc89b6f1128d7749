// Where to reset a diverged run: the last workflow task the current code still replays. Pure.

/** One history event, by id and type (`WorkflowTaskCompleted`, ...). */
export interface EventRef {
  eventId: number;
  eventType: string;
}

const finishTypes = new Set(['WorkflowTaskCompleted', 'WorkflowTaskFailed', 'WorkflowTaskTimedOut']);

/**
 * The event id to reset to: the last WorkflowTaskCompleted before the event the divergence names
 * (the commands of that task are where the code changed), else the last one before the last
 * WorkflowTaskFailed, else the first finished workflow task; undefined when there is none.
 */
export function resetEventId(events: readonly EventRef[], divergenceEventId?: number): number | undefined {
  const lastFailed = [...events].reverse().find((e) => e.eventType === 'WorkflowTaskFailed')?.eventId;
  const before = divergenceEventId ?? lastFailed ?? Number.MAX_SAFE_INTEGER;
  const completed = events.filter((e) => e.eventType === 'WorkflowTaskCompleted' && e.eventId < before);
  return completed.at(-1)?.eventId ?? events.find((e) => finishTypes.has(e.eventType))?.eventId;
}
