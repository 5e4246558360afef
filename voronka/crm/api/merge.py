"""crm API: merge."""

from ninja import Router

router = Router(tags=["crm"])
