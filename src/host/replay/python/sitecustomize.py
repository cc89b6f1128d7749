"""temporal-ops replay hook, loaded at interpreter start through PYTHONPATH.

Inert unless TEMPORAL_OPS_REPLAY names a replay spec file. Either way the project's own
sitecustomize (the next one on sys.path) still runs, so putting this directory first breaks nothing.
"""

import importlib.machinery
import importlib.util
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def _chain_next_sitecustomize() -> None:
    others = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", others)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


if os.environ.get("TEMPORAL_OPS_REPLAY"):
    import temporal_ops_replay

    # A warm replay process imports the SDK now and waits for its spec before the program's own code runs.
    if os.environ.get("TEMPORAL_OPS_REPLAY_WAIT"):
        temporal_ops_replay.wait_for_go(os.environ["TEMPORAL_OPS_REPLAY_WAIT"])
    temporal_ops_replay.activate(os.environ["TEMPORAL_OPS_REPLAY"])

_chain_next_sitecustomize()
