"""Start a workflow of the orders example.

  python starter.py [--workflow Order|Approval] [--input JSON] [--workflow-id ID]
                    [--task-queue Q] [--wait]

Prints "Workflow ID: <id>" and "Run ID: <run id>"; with --wait also "Result: <json>".
Env: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE (as worker.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import traceback
import uuid

from temporalio.client import Client


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflow", default="Order", choices=["Order", "Approval"])
    parser.add_argument("--input", help="workflow input as JSON (default: generated id)")
    parser.add_argument("--workflow-id", help="default: order-<short uuid> / approval-<short uuid>")
    parser.add_argument(
        "--task-queue", default=os.environ.get("TEMPORAL_TASK_QUEUE", "orders")
    )
    parser.add_argument("--wait", action="store_true", help="wait for and print the result")
    return parser.parse_args(argv)


async def main(argv: list[str]) -> int:
    args = parse_args(argv)
    short = uuid.uuid4().hex[:8]
    if args.input is not None:
        try:
            payload = json.loads(args.input)
        except json.JSONDecodeError as err:
            print(f"--input is not valid JSON: {err}", file=sys.stderr)
            return 2
    elif args.workflow == "Order":
        payload = {"orderId": short}
    else:
        payload = {"requestId": short}
    workflow_id = args.workflow_id or f"{args.workflow.lower()}-{short}"

    try:
        client = await Client.connect(
            os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"),
            namespace=os.environ.get("TEMPORAL_NAMESPACE", "default"),
        )
        handle = await client.start_workflow(
            args.workflow, payload, id=workflow_id, task_queue=args.task_queue
        )
    except Exception as err:  # connection refused, id already in use, ...
        print(f"error: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    print(f"Workflow ID: {handle.id}", flush=True)
    print(f"Run ID: {handle.result_run_id}", flush=True)
    if args.wait:
        result = await handle.result()
        print(f"Result: {json.dumps(result)}", flush=True)
    return 0


def run_and_exit() -> None:
    try:
        code = asyncio.run(main(sys.argv[1:]))
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
