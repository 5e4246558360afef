"""crm API: companies."""

from ninja import Router

router = Router(tags=["crm"])
