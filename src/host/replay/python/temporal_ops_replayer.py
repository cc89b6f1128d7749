"""The Replayer side of the replay hook: a Replayer configured like a captured Worker, the replay
of every history of a spec, and where a history that no longer replays diverges.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any, Callable


def replayer_for(worker: Any) -> Any:
    """A Replayer configured exactly like `worker` (plugins re-apply their replayer config)."""
    import temporalio.worker

    config = worker.config()
    client = config["client"]
    client_config = client.config(active_config=True)
    client_interceptors = [
        i for i in client_config.get("interceptors", []) if isinstance(i, temporalio.worker.Interceptor)
    ]
    wanted = {
        "workflows": config.get("workflows"),
        "workflow_task_executor": config.get("workflow_task_executor"),
        "workflow_runner": config.get("workflow_runner"),
        "unsandboxed_workflow_runner": config.get("unsandboxed_workflow_runner"),
        "namespace": client.namespace,
        "data_converter": client_config.get("data_converter"),
        "interceptors": client_interceptors + list(config.get("interceptors", [])),
        "plugins": list(getattr(worker, "_plugins", config.get("plugins", []))),
        "build_id": config.get("build_id"),
        "identity": config.get("identity"),
        "workflow_failure_exception_types": config.get("workflow_failure_exception_types"),
        "debug_mode": config.get("debug_mode"),
        "disable_safe_workflow_eviction": config.get("disable_safe_workflow_eviction"),
        "header_codec_behavior": client_config.get("header_codec_behavior"),
    }
    accepted = inspect.signature(temporalio.worker.Replayer.__init__).parameters
    kwargs = {k: v for k, v in wanted.items() if k in accepted and v is not None}
    return temporalio.worker.Replayer(**kwargs)


async def _frames(path: str):  # type: ignore[no-untyped-def]
    """(header, body) per history of the stream file, waiting for frames still being written."""
    buffered = b""
    at = 0
    with open(path, "rb") as f:
        while True:
            newline = buffered.find(b"\n", at)
            if newline >= 0:
                header = json.loads(buffered[at:newline])
                if header.get("end"):
                    return
                end = newline + 1 + header["size"]
                if len(buffered) >= end:
                    yield header, buffered[newline + 1 : end]
                    at = end
                    continue
            chunk = f.read(1 << 20)
            if chunk:
                buffered = buffered[at:] + chunk
                at = 0
            else:
                # The writer is still fetching: the hook's deadline bounds this wait.
                await asyncio.sleep(0.002)


# Replay workers fed at once: while one waits on the SDK's core for its next activation, another
# runs workflow code (one alone leaves the process idle for about a quarter of its time).
_LANES = 2


def _turns(source: Any, lanes: int) -> list[Any]:
    """`lanes` async iterators that take turns drawing from the one async iterator `source`."""
    lock = asyncio.Lock()

    async def draw():  # type: ignore[no-untyped-def]
        while True:
            async with lock:
                try:
                    item = await source.__anext__()
                except StopAsyncIteration:
                    return
            yield item

    return [draw() for _ in range(lanes)]


async def replay_all(replayer: Any, histories_path: str, emit: Callable[..., None]) -> int:
    """Replays every history through _LANES replay workers; then locates each break (rare) apart."""
    from temporalio.api.history.v1 import History
    from temporalio.client import WorkflowHistory

    # Keyed by the history object: the Replayer hands back the one it was given.
    pending: dict[int, dict[str, Any]] = {}
    broken: list[tuple[dict[str, Any], Any, BaseException]] = []

    async def parsed():  # type: ignore[no-untyped-def]
        async for header, body in _frames(histories_path):
            base = {"workflowId": header["workflowId"], "runId": header.get("runId")}
            try:
                history = WorkflowHistory(header["workflowId"], History.FromString(body).events)
            except Exception as err:  # noqa: BLE001 - one bad history must not hide the others
                emit("result", **base, outcome="error", failureClass=type(err).__name__, message=str(err))
                continue
            pending[id(history)] = base
            yield history

    count = 0

    async def lane(source: Any) -> None:
        nonlocal count
        async with replayer.workflow_replay_iterator(source) as results:
            async for result in results:
                history = result.history
                base = pending.pop(id(history))
                count += 1
                if result.replay_failure is None:
                    emit("result", **base, outcome="replays")
                else:
                    broken.append((base, history, result.replay_failure))

    await asyncio.gather(*(lane(source) for source in _turns(parsed(), _LANES)))
    for base, history, failure in broken:
        emit(
            "result",
            **base,
            outcome="would-break",
            failureClass=type(failure).__name__,
            message=str(failure),
            window=await _diverging_window(replayer, history),
        )
    return count


def _event_type(event: Any) -> str:
    from temporalio.api.enums.v1 import EventType

    name = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")
    return "".join(part.capitalize() for part in name.split("_"))


def _event_detail(event: Any) -> str | None:
    if event.HasField("activity_task_scheduled_event_attributes"):
        return event.activity_task_scheduled_event_attributes.activity_type.name
    if event.HasField("start_child_workflow_execution_initiated_event_attributes"):
        return event.start_child_workflow_execution_initiated_event_attributes.workflow_type.name
    if event.HasField("timer_started_event_attributes"):
        return event.timer_started_event_attributes.timer_id
    if event.HasField("marker_recorded_event_attributes"):
        return event.marker_recorded_event_attributes.marker_name
    if event.HasField("workflow_execution_signaled_event_attributes"):
        return event.workflow_execution_signaled_event_attributes.signal_name
    return None


async def _diverging_window(replayer: Any, history: Any) -> dict[str, Any]:
    """The events between the last workflow task that still replays and the first that does not.

    Bisects over prefixes of the history cut at WorkflowTaskStarted events (the shape of a history
    the server hands a worker): a prefix replays the commands of every earlier task.
    """
    from temporalio.client import WorkflowHistory

    events = list(history.events)
    cuts = [i for i, e in enumerate(events) if _event_type(e) == "WorkflowTaskStarted"]
    if not cuts or cuts[-1] != len(events) - 1:
        cuts.append(len(events) - 1)

    async def fails(cut: int) -> bool:
        prefix = WorkflowHistory(history.workflow_id, events[: cut + 1])
        result = await replayer.replay_workflow(prefix, raise_on_replay_failure=False)
        return result.replay_failure is not None

    lo, hi = 0, len(cuts) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if await fails(cuts[mid]):
            hi = mid
        else:
            lo = mid + 1
    start = cuts[lo - 1] + 1 if lo > 0 else 0
    return {
        "events": [
            {"eventId": e.event_id, "eventType": _event_type(e), "detail": _event_detail(e)}
            for e in events[start : cuts[lo] + 1]
        ]
    }
