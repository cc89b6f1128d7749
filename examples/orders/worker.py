"""Worker of the orders example.

Env: TEMPORAL_ADDRESS (localhost:7233), TEMPORAL_NAMESPACE (default), TEMPORAL_TASK_QUEUE (orders).
Prints "Worker started, listening on task queue: <q>" once polling; SIGTERM/SIGINT shut it down
gracefully (exit code 0).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import traceback
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from activities import charge, reserve_items
from workflows import Approval, Order


async def main() -> int:
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    address = os.environ.get("TEMPORAL_ADDRESS", "localhost:7233")
    namespace = os.environ.get("TEMPORAL_NAMESPACE", "default")
    task_queue = os.environ.get("TEMPORAL_TASK_QUEUE", "orders")

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    client = await Client.connect(address, namespace=namespace)
    # Default identity (<pid>@<host>) on purpose: readiness checks match pollers by pid.
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[Order, Approval],
        activities=[reserve_items, charge],
        graceful_shutdown_timeout=timedelta(seconds=3),
    )
    async with worker:
        print(f"Worker started, listening on task queue: {task_queue}", flush=True)
        await stop.wait()
        logging.info("Shutdown signal received, stopping worker")
    logging.info("Worker stopped")
    return 0


def run_and_exit() -> None:
    try:
        code = asyncio.run(main())
    except KeyboardInterrupt:
        code = 130
    except SystemExit as err:
        code = err.code if isinstance(err.code, int) else 1
    except BaseException:
        traceback.print_exc()
        code = 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: the SDK's Rust threads can abort it ("Fatal Python error:
    # PyGILState_Release ... finalizing", exit 134, temporalio/sdk-python#300).
    os._exit(code)


if __name__ == "__main__":
    run_and_exit()
