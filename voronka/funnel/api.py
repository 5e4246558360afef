"""funnel's endpoints."""

from ninja import Router

router = Router(tags=["funnel"])
