// Incident: one stall a scheduled sweep found, as an entity workflow in the bookkeeping namespace.
// Every move is the `incident` update (the sweep's sightings by update-with-start); its state shows
// in the Web UI through OpsIncidentState and OpsVerdict, and in full in its memo. It is not a recipe.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  INCIDENT_MEMO,
  INCIDENT_QUERY,
  INCIDENT_UPDATE,
  type Incident as IncidentRecord,
  type IncidentAnswer,
  type IncidentEvent,
} from '../src/contract/incidents.js';
import { FailureType } from '../src/contract/failure-types.js';
import { OpsIncidentState, OpsVerdict } from '../src/contract/search-attributes.js';
import {
  applyIncidentEvent,
  incidentMoveProblem,
  newIncident,
  wakeIncident,
  type IncidentEntity,
} from '../src/diagnosis/incident-moves.js';
import { owesNotices } from '../src/diagnosis/incident-notices.js';

const incidentUpdate = defineUpdate<IncidentAnswer, [IncidentEvent]>(INCIDENT_UPDATE);
const incidentQuery = defineQuery<IncidentRecord | null>(INCIDENT_QUERY);

/** Continue as new well before the history grows large. */
const MAX_UPDATES = 500;
/** A resolved incident waits this long for its fingerprint to come back (or its notices to go out) before it closes. */
const KEEP_RESOLVED_MS = 7 * 24 * 3600_000;

function publish(incident: IncidentRecord): void {
  upsertSearchAttributes([
    { key: OpsIncidentState, value: incident.state },
    { key: OpsVerdict, value: incident.fingerprint.verdict },
  ]);
  upsertMemo({ [INCIDENT_MEMO]: incident });
}

function invalid(message: string): never {
  throw ApplicationFailure.create({ message, type: FailureType.InvalidInput, nonRetryable: true });
}

/** Keeps one incident until it has been resolved for a week (or its run closed); returns it last. */
export async function Incident(carried: { entity?: IncidentEntity } = {}): Promise<IncidentRecord | null> {
  let entity = carried.entity;
  let updates = 0;
  // A run continued from another shows the incident from its first task on.
  if (entity) publish(entity.incident);
  setHandler(incidentQuery, () => entity?.incident ?? null);
  setHandler(
    incidentUpdate,
    (event) => {
      updates += 1;
      const move = entity
        ? applyIncidentEvent(entity, event, Date.now())
        : newIncident(event as Extract<IncidentEvent, { kind: 'seen' }>);
      entity = move.entity;
      if (!move.duplicate) publish(entity.incident);
      return {
        incident: entity.incident,
        duplicate: move.duplicate,
        ...(move.transition ? { transition: move.transition } : {}),
      };
    },
    {
      validator: (event) => {
        if (typeof event !== 'object' || event === null || typeof event.kind !== 'string')
          invalid(`event: expected an incident event, got ${JSON.stringify(event)}`);
        const problem = incidentMoveProblem(entity?.incident, event, Date.now());
        if (problem) invalid(problem);
      },
    },
  );
  let rolling = false;
  for (;;) {
    const incident = entity?.incident;
    const wakeAt =
      incident?.state === 'snoozed'
        ? (incident.snoozedUntilMs ?? Date.now())
        : incident?.state === 'resolved'
          ? (incident.transitions.at(-1)?.atMs ?? Date.now()) +
            (incident.final && !owesNotices(incident) ? 0 : KEEP_RESOLVED_MS)
          : undefined;
    const before = updates;
    const moved = () => updates !== before;
    const mustRoll = () => updates >= MAX_UPDATES || workflowInfo().continueAsNewSuggested;
    if (wakeAt === undefined) await condition(() => moved() || mustRoll());
    else await condition(() => moved() || mustRoll(), Math.max(0, wakeAt - Date.now()));
    if (mustRoll()) {
      rolling = true;
      break;
    }
    if (moved() || !entity) continue;
    if (entity.incident.state === 'resolved') break;
    const woke = wakeIncident(entity, Date.now());
    entity = woke.entity;
    if (woke.transition) publish(entity.incident);
  }
  await condition(allHandlersFinished);
  // An update that came in while closing may have reopened it: it lives on.
  if (rolling || (entity && entity.incident.state !== 'resolved'))
    return continueAsNew<typeof Incident>({ entity });
  return entity?.incident ?? null;
}
