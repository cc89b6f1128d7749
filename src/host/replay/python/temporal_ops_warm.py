"""A warm replay process's program: runs what the project's worker command ran in its Python.

The hook (sitecustomize) has imported the SDK, waited for `go` and armed the replay before this
runs. TEMPORAL_OPS_WARM_TARGET says what the worker command's own Python ran (recorded by a check's
hook): a module, a script or code, with its arguments. It runs here as the interpreter would have
run it, so `ps` shows this file, never the project's worker command, while the process waits.
"""

import json
import os
import runpy
import sys


def main() -> None:
    target = json.loads(os.environ.pop("TEMPORAL_OPS_WARM_TARGET"))
    kind, value, args = target["kind"], target["value"], target["args"]
    safe_path = bool(getattr(sys.flags, "safe_path", False))
    if kind == "module":
        sys.argv = ["-m", *args]  # the module's file once it is found, as -m does
        if not safe_path:
            sys.path[0] = os.getcwd()
        runpy._run_module_as_main(value, alter_argv=True)  # type: ignore[attr-defined]  # what -m runs
    elif kind == "script":
        sys.argv = [value, *args]
        if not safe_path:
            sys.path[0] = os.path.dirname(os.path.realpath(value))
        runpy.run_path(value, run_name="__main__")
    else:
        sys.argv = ["-c", *args]
        if not safe_path:
            sys.path[0] = ""
        main_module = sys.modules["__main__"]
        for name in [n for n in vars(main_module) if n not in ("__name__", "__builtins__")]:
            delattr(main_module, name)
        exec(compile(value, "<string>", "exec"), vars(main_module))  # noqa: S102 - what -c runs


main()
