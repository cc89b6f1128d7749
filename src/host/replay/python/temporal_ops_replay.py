"""Replays open histories with the registrations of the project's own worker, instead of polling.

activate(spec_path) patches the SDK when it is first imported, before the program's code runs:
- every client connection is made lazy, aimed at the gate's own address, and refused if it is ever
  used: the replay process reaches no server at all;
- Worker(...) runs the SDK's own constructor up to the plugins and is recorded (it builds no
  connected worker);
- run() / `async with` on the worker serving the spec's task queue builds a
  temporalio.worker.Replayer from that worker's workflows, runners, data converter, interceptors,
  plugins and flags, replays every history of the spec, writes one JSON line per workflow and
  exits the process with 0. Other workers never poll: they wait, and give up after a while.

In an interpreter without temporalio (a helper Python of a wrapper) the hook stays inert and says
so ({"kind": "hook-inert"}); "hook-loaded" is the gate's proof that the SDK is patched here.

Output (spec["outputPath"], JSON lines, appended): {"kind": "hook-loaded"}, {"kind": "worker-seen"},
{"kind": "result"} per history, then {"kind": "done"}; {"kind": "error"} on a failure of the hook;
{"kind": "connect-refused"} when the program tried to use a connection.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import threading
import traceback
from typing import Any

import temporal_ops_replayer

_WORKER_MODULE = "temporalio.worker._worker"
_SERVICE_MODULE = "temporalio.service"
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


def wait_for_go(ready_path: str) -> None:
    """A warm replay process: imports the SDK, says so in `ready_path`, then waits on stdin.

    A line on stdin means the spec is written: go on. End of input without one means whoever
    started it is gone or let it expire: exit quietly, before the program's own code ever runs.
    A Python without temporalio (a wrapper's helper) does not wait: the program's Python does.
    """
    if importlib.util.find_spec("temporalio") is None:
        return
    import temporalio.client  # noqa: F401 - the import is the point: it is what a check waits for
    import temporalio.worker  # noqa: F401

    with open(ready_path, "a", encoding="utf-8") as out:
        out.write(json.dumps({"kind": "warm", "pid": os.getpid(), "temporalio": _loaded_version()}) + "\n")
    line = b""
    while not line.endswith(b"\n"):
        chunk = os.read(0, 1)
        if not chunk:
            _exit(0)
        line += chunk
    if line.strip() != b"go":
        _exit(0)
    installed = _installed_version()
    if installed != _loaded_version():
        # The environment changed under the waiting process: its SDK in memory is not the one on disk.
        with open(ready_path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"kind": "stale", "loaded": _loaded_version(), "installed": installed}) + "\n")
        _exit(5)


def _loaded_version() -> str:
    import temporalio

    return str(getattr(temporalio, "__version__", ""))


def _installed_version() -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version("temporalio")
    except importlib.metadata.PackageNotFoundError:
        return ""


def activate(spec_path: str) -> None:
    with open(spec_path, encoding="utf-8") as f:
        _spec.update(json.load(f))
    if importlib.util.find_spec("temporalio") is None:
        _emit("hook-inert", pid=os.getpid(), python=sys.executable, why="no temporalio")
        return
    patches = {_SERVICE_MODULE: _patch_service, _WORKER_MODULE: _patch}
    for name in [n for n in patches if n in sys.modules]:
        patches.pop(name)(sys.modules[name])
    if patches:
        sys.meta_path.insert(0, _PatchOnImport(patches))
    _emit("hook-loaded", pid=os.getpid(), python=sys.executable)
    if _spec.get("launchPath"):
        _record_launch(_spec["launchPath"])
    # A forked child inherits the patched SDK: it is hooked too, and says so for the gate's watch.
    os.register_at_fork(after_in_child=lambda: _emit("hook-loaded", pid=os.getpid(), python=sys.executable))
    _start_deadline(float(_spec.get("deadlineSeconds", 600)))


# Interpreter options that take a value (the next word, or the rest of this one).
_OPTION_VALUE = ("-W", "-X", "--check-hash-based-pycs")


def _target_of(words: list[str]) -> tuple[list[str], dict[str, Any] | None]:
    """Splits an interpreter's arguments into its options and what it runs (None: not restartable)."""
    options: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("-m", "-c"):
            if i + 1 >= len(words):
                return options, None
            kind = "module" if word == "-m" else "code"
            return options, {"kind": kind, "value": words[i + 1], "args": words[i + 2 :]}
        if word.startswith("-m") or word.startswith("-c"):
            kind = "module" if word[1] == "m" else "code"
            return options, {"kind": kind, "value": word[2:], "args": words[i + 1 :]}
        if word in _OPTION_VALUE:
            if i + 1 >= len(words):
                return options, None
            options += [word, words[i + 1]]
            i += 2
            continue
        if word.startswith("-W") or word.startswith("-X"):
            options.append(word)
            i += 1
            continue
        if word == "--":
            i += 1
            break
        if word == "-" or word.startswith("--"):
            return options, None  # a program read from stdin, or --help and the like
        if word.startswith("-"):
            if any(letter in "mcWX" for letter in word[2:]):
                return options, None  # a value folded into a cluster of flags: not worth guessing
            options.append(word)
            i += 1
            continue
        break
    if i >= len(words):
        return options, None
    return options, {"kind": "script", "value": words[i], "args": words[i + 1 :]}


def _record_launch(path: str) -> None:
    """Says how to start this very Python again without its wrappers (a warm replay process).

    Written once (the program's main Python, before any of its own code), readable by us alone.
    """
    options, target = _target_of(list(getattr(sys, "orig_argv", []))[1:])
    launch = {
        "executable": sys.executable,
        "options": options,
        "target": target,
        "cwd": os.getcwd(),
        "env": dict(os.environ),
    }
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(launch, out)


def _start_deadline(seconds: float) -> None:
    """Ends the process after `seconds` even if whoever started it is gone (killed with -9)."""

    def expire() -> None:
        _emit("error", reason="deadline", message=f"replay did not finish within {seconds:.0f} s")
        _exit(4)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patches SDK modules right after they execute, wherever they are imported from."""

    def __init__(self, patches: dict[str, Any]) -> None:
        self._patches = patches

    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        patch = self._patches.pop(name, None)
        if patch is None:
            return None
        if not self._patches:
            sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        original = spec.loader.exec_module

        def exec_module(module):  # type: ignore[no-untyped-def]
            original(module)
            patch(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _serves_spec(worker: Any) -> bool:
    config = worker.config()
    return bool(config.get("workflows")) and config.get("task_queue") == _spec["taskQueue"]


def _patch_service(module: Any) -> None:
    """No connection: clients are lazy, aimed at the gate's address, and refuse to connect."""
    bridge_class = module._BridgeServiceClient
    gate = _spec.get("gateAddress", "127.0.0.1:1")

    async def connect(config: Any) -> Any:
        return bridge_class(dataclasses.replace(config, target_host=gate, lazy=True))

    async def _connected_client(self: Any) -> Any:
        _emit("connect-refused", target=self.config.target_host)
        raise RuntimeError(
            "temporal-ops replay check: this process replays histories and connects to no server"
        )

    bridge_class.connect = staticmethod(connect)
    bridge_class._connected_client = _connected_client


def _patch(module: Any) -> None:
    worker_class = module.Worker
    original_init = worker_class.__init__
    if hasattr(worker_class, "_init_from_config"):
        # The SDK's own constructor runs the plugins, then builds a worker bound to a connected
        # client: keep the configuration and build nothing.
        def _init_from_config(self: Any, client: Any, config: Any) -> None:
            self._config = config

        worker_class._init_from_config = _init_from_config

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
