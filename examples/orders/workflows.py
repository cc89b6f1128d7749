"""Workflows of the orders example.

Workflow code runs in the Temporal Python sandbox: keep it deterministic and import
non-workflow modules (activities, third-party libraries) through `imports_passed_through`.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities import charge, reserve_items

# Bounded retries: an activity bug must fail the workflow eventually, not retry forever.
ACTIVITY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=5),
    maximum_attempts=3,
)


@workflow.defn(name="Order")
class Order:
    """Reserve the items, then charge. Input: {"orderId": str, "items": [str], "fail": bool}."""

    @workflow.run
    async def run(self, order: dict) -> dict:
        if not isinstance(order, dict) or not order.get("orderId"):
            # Non-retryable: a bad input fails the workflow instead of stalling it.
            raise ApplicationError(
                f"input must be an object with a non-empty orderId, got {order!r}",
                type="InvalidInput",
                non_retryable=True,
            )
        order_id = order["orderId"]
        reservation = await workflow.execute_activity(
            reserve_items,
            order,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=ACTIVITY_RETRY,
        )
        payment = await workflow.execute_activity(
            charge,
            order,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=ACTIVITY_RETRY,
        )
        if "error" in payment:
            # COMPLETED, yet the result is an error: users must read results, not just status.
            return {"status": "error", "message": payment["error"], "orderId": order_id}
        return {
            "status": "ok",
            "orderId": order_id,
            "reserved": reservation["reserved"],
            "charged": payment["charged"],
        }


@workflow.defn(name="Approval")
class Approval:
    """Waits for a human decision.

    Input: {"requestId": str, "timeoutSeconds": number (default 3600)}.
    Signal `approve` {"approved": bool, "by": str}; update `set_note` (str, non-empty) returns the
    note count; query `get_status` returns {"state", "notes", "requestId"}.
    """

    def __init__(self) -> None:
        self.state = "pending"
        self.notes: list[str] = []
        self.request_id = ""
        self.decided_by: str | None = None

    @workflow.run
    async def run(self, request: dict) -> dict:
        request = request if isinstance(request, dict) else {}
        self.request_id = str(request.get("requestId") or workflow.info().workflow_id)
        timeout = float(request.get("timeoutSeconds") or 3600)
        try:
            await workflow.wait_condition(
                lambda: self.state != "pending", timeout=timedelta(seconds=timeout)
            )
        except asyncio.TimeoutError:
            self.state = "timed-out"
            return {"status": "timed-out", "requestId": self.request_id, "notes": self.notes}
        status = "ok" if self.state == "approved" else "rejected"
        return {
            "status": status,
            "requestId": self.request_id,
            "by": self.decided_by,
            "notes": self.notes,
        }

    @workflow.signal(name="approve")
    def approve(self, decision: dict) -> None:
        if self.state != "pending":
            return
        decision = decision if isinstance(decision, dict) else {}
        self.state = "approved" if decision.get("approved") else "rejected"
        self.decided_by = decision.get("by")

    @workflow.update(name="set_note")
    def set_note(self, note: str) -> int:
        self.notes.append(note)
        return len(self.notes)

    @set_note.validator
    def validate_note(self, note: str) -> None:
        if not isinstance(note, str) or not note.strip():
            raise ValueError("note must be a non-empty string")

    @workflow.query(name="get_status")
    def get_status(self) -> dict:
        return {"state": self.state, "notes": list(self.notes), "requestId": self.request_id}
