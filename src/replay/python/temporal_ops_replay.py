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
import json
import os
import sys
import threading
import traceback
from typing import Any

import temporal_ops_replayer

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


async def _replay_and_exit(worker: Any) -> None:
    global _replaying
    _replaying = True
    try:
        count = await temporal_ops_replayer.replay_all(
            temporal_ops_replayer.replayer_for(worker), _spec["historiesPath"], _emit
        )
    except BaseException as err:  # noqa: BLE001 - reported, then the process exits
        _emit("error", reason="replay-crashed", message=repr(err), traceback=traceback.format_exc())
        _exit(2)
    _emit("done", count=count)
    _exit(0)
