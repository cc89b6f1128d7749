"""Activities of the orders example: plain async functions, no workflow rules apply here."""

from __future__ import annotations

import asyncio

from temporalio import activity

# Flat price per item, in cents, so results are easy to check by eye.
PRICE_PER_ITEM_CENTS = 1250


@activity.defn(name="reserve_items")
async def reserve_items(order: dict) -> dict:
    """Reserve the order's items in the (imaginary) inventory."""
    items = list(order.get("items") or ["default-item"])
    activity.logger.info("Reserving %d item(s) for order %s", len(items), order.get("orderId"))
    await asyncio.sleep(0.1)
    return {"orderId": order.get("orderId"), "reserved": len(items)}


@activity.defn(name="charge")
async def charge(order: dict) -> dict:
    """Charge the customer. With `fail: true` the payment is declined.

    A declined payment is returned as data (not raised), so the workflow COMPLETES with an
    error-looking result: the false positive the runbook tells users to check for.
    """
    items = list(order.get("items") or ["default-item"])
    if order.get("fail"):
        activity.logger.info("Payment declined for order %s", order.get("orderId"))
        return {"error": "payment declined"}
    amount = round(len(items) * PRICE_PER_ITEM_CENTS / 100, 2)
    activity.logger.info("Charged %.2f for order %s", amount, order.get("orderId"))
    await asyncio.sleep(0.1)
    return {"charged": amount}
