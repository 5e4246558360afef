"""crm API: the product catalogue. Everyone reads; administrators (configure capability) write."""

# No `from __future__ import annotations`: ninja reads parameter types through decorator wrappers.

from typing import cast

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from voronka.accounts.actor import Actor
from voronka.accounts.roles import Capability
from voronka.core.api import ERROR_RESPONSES, Pagination
from voronka.core.idempotency import idempotent

from ..access import access_product
from ..models import Product
from ..schemas.products import ProductCreate, ProductFilters, ProductRead, ProductUpdate
from ..selectors.products import product_list
from ..services.products import product_create, product_delete, product_update

router = Router(tags=["crm:records"])


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.actor)  # type: ignore[attr-defined]


@router.get("/products", response={200: list[ProductRead], **ERROR_RESPONSES})
@paginate(Pagination)
def product_list_api(request: HttpRequest, filters: Query[ProductFilters]) -> QuerySet[Product]:
    """The workspace's products."""
    actor = _actor(request)
    actor.require(Capability.CRM_VIEW)
    return product_list(actor=actor, **filters.model_dump())


@router.post("/products", response={201: ProductRead, **ERROR_RESPONSES})
@idempotent
def product_create_api(request: HttpRequest, payload: ProductCreate) -> Status:
    """Add a product (the SKU is unique in the workspace)."""
    return Status(201, product_create(actor=_actor(request), data=payload.model_dump()))


@router.get("/products/{product_id}", response={200: ProductRead, **ERROR_RESPONSES})
def product_get_api(request: HttpRequest, product_id: int) -> Product:
    """One product."""
    actor = _actor(request)
    actor.require(Capability.CRM_VIEW)
    return access_product(actor=actor, product_id=product_id)


@router.patch("/products/{product_id}", response={200: ProductRead, **ERROR_RESPONSES})
def product_update_api(request: HttpRequest, product_id: int, payload: ProductUpdate) -> Product:
    """Change a product; omitted fields stay."""
    actor = _actor(request)
    data = {name: value for name, value in payload.model_dump(exclude_unset=True).items() if value is not None}
    with transaction.atomic():
        product = access_product(actor=actor, product_id=product_id)
        return product_update(actor=actor, product=product, data=data)


@router.delete("/products/{product_id}", response={204: None, **ERROR_RESPONSES})
def product_delete_api(request: HttpRequest, product_id: int) -> Status:
    """Delete a product no deal uses (deactivate it otherwise)."""
    actor = _actor(request)
    with transaction.atomic():
        product_delete(actor=actor, product=access_product(actor=actor, product_id=product_id))
    return Status(204, None)
