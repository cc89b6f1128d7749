"""Replays open histories with the registrations of the project's own worker, instead of polling.

activate(spec_path) patches temporalio.worker.Worker when the SDK is first imported:
- Worker(...) runs the SDK's own constructor (validation, plugins) and is recorded;
- run() / `async with` on the worker serving the spec's task queue builds a
  temporalio.worker.Replayer from that worker's workflows, runners, data converter, interceptors,
  plugins and flags, replays every history of the spec, writes one JSON line per workflow and
  exits the process with 0. Other workers never poll: they wait, and give up after a while.

Output (spec["outputPath"], JSON lines, appended): {"kind": "hook-loaded"}, {"kind": "worker-seen"},
{"kind": "result"} per history, then {"kind": "done"}; {"kind": "error"} on a failure of the hook.
"""

from __future__ import annotations

import asyncio
import importlib.abc
import importlib.machinery
import inspect
import json
import os
import sys
import threading
import traceback
from typing import Any

_WORKER_MODULE = "temporalio.worker._worker"
_spec: dict[str, Any] = {}
_replaying = False
# Strong references: the event loop keeps only weak ones to its tasks.
_parked: set[asyncio.Task[None]] = set()


def _emit(kind: str, **fields: Any) -> None:
    with open(_spec["outputPath"], "a", encoding="utf-8") as out:
        out.write(json.dumps({"kind": kind, **fields}) + "\n")


def _exit(code: int) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: the SDK's Rust threads can abort it (temporalio/sdk-python#300).
    os._exit(code)


def activate(spec_path: str) -> None:
    with open(spec_path, encoding="utf-8") as f:
        _spec.update(json.load(f))
    _emit("hook-loaded", pid=os.getpid(), python=sys.executable)
    _start_deadline(float(_spec.get("deadlineSeconds", 600)))
    if _WORKER_MODULE in sys.modules:
        _patch(sys.modules[_WORKER_MODULE])
    else:
        sys.meta_path.insert(0, _PatchOnImport())


def _start_deadline(seconds: float) -> None:
    """Ends the process after `seconds` even if whoever started it is gone (killed with -9)."""

    def expire() -> None:
        _emit("error", reason="deadline", message=f"replay did not finish within {seconds:.0f} s")
        _exit(4)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patches the Worker class right after its module executes, wherever it is imported from."""

    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        if name != _WORKER_MODULE:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        original = spec.loader.exec_module

        def exec_module(module):  # type: ignore[no-untyped-def]
            original(module)
            _patch(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _serves_spec(worker: Any) -> bool:
    config = worker.config()
    return bool(config.get("workflows")) and config.get("task_queue") == _spec["taskQueue"]


def _patch(module: Any) -> None:
    worker_class = module.Worker
    original_init = worker_class.__init__

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        config = self.config()
        _emit(
            "worker-seen",
            taskQueue=config.get("task_queue"),
            workflows=[_defn_name(w) for w in config.get("workflows", [])],
        )

    async def run(self: Any) -> None:
        if _serves_spec(self):
            await _replay_and_exit(self)
        await _park()

    async def __aenter__(self: Any) -> Any:
        if _serves_spec(self):
            await _replay_and_exit(self)
        _parked.add(asyncio.get_running_loop().create_task(_park()))
        return self

    async def __aexit__(self: Any, *args: Any) -> None:
        return None

    async def shutdown(self: Any) -> None:
        return None

    worker_class.__init__ = __init__
    worker_class.run = run
    worker_class.__aenter__ = __aenter__
    worker_class.__aexit__ = __aexit__
    worker_class.shutdown = shutdown


async def _park() -> None:
    """A worker on another task queue: never poll; give up if no worker of the spec's queue runs."""
    await asyncio.sleep(float(_spec.get("parkSeconds", 30)))
    if _replaying:
        # Returning would let the program go on (and maybe exit) while the replay runs.
        await asyncio.Event().wait()
    else:
        queue = _spec["taskQueue"]
        _emit("error", reason="no-matching-worker", message=f"no worker on task queue {queue!r} ran")
        _exit(3)


def _defn_name(cls: Any) -> str:
    import temporalio.workflow

    defn = temporalio.workflow._Definition.from_class(cls)
    return (defn.name if defn else None) or getattr(cls, "__name__", str(cls))


def _replayer_for(worker: Any) -> Any:
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


async def _replay_and_exit(worker: Any) -> None:
    global _replaying
    _replaying = True
    try:
        count = await _replay_all(_replayer_for(worker))
    except BaseException as err:  # noqa: BLE001 - reported, then the process exits
        _emit("error", reason="replay-crashed", message=repr(err), traceback=traceback.format_exc())
        _exit(2)
    _emit("done", count=count)
    _exit(0)


def _histories():  # type: ignore[no-untyped-def]
    with open(_spec["historiesPath"], encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


async def _replay_all(replayer: Any) -> int:
    """Replays every history through one replay worker; then locates each break (rare) apart."""
    from temporalio.client import WorkflowHistory

    # Keyed by the history object: the Replayer hands back the one it was given.
    pending: dict[int, dict[str, Any]] = {}
    broken: list[tuple[dict[str, Any], Any, BaseException]] = []

    async def parsed():  # type: ignore[no-untyped-def]
        for item in _histories():
            base = {"workflowId": item["workflowId"], "runId": item.get("runId")}
            try:
                history = WorkflowHistory.from_json(item["workflowId"], item["history"])
            except Exception as err:  # noqa: BLE001 - one bad history must not hide the others
                _emit("result", **base, outcome="error", failureClass=type(err).__name__, message=str(err))
                continue
            pending[id(history)] = base
            yield history

    count = 0
    async with replayer.workflow_replay_iterator(parsed()) as results:
        async for result in results:
            history = result.history
            base = pending.pop(id(history))
            count += 1
            if result.replay_failure is None:
                _emit("result", **base, outcome="replays")
            else:
                broken.append((base, history, result.replay_failure))
    for base, history, failure in broken:
        _emit(
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
