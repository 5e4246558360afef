"""crm API: custom_fields."""

from ninja import Router

router = Router(tags=["crm"])
