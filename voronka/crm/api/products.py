"""crm API: products."""

from ninja import Router

router = Router(tags=["crm"])
