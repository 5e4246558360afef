"""crm API: activities."""

from ninja import Router

router = Router(tags=["crm"])
