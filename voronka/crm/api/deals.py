"""crm API: deals."""

from ninja import Router

router = Router(tags=["crm"])
