"""A deal's line items: the products sold, from which the amount and the cost follow."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.roles import Capability
from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError

from ..models import Deal, DealLineItem, Product
from .deals import CENT, MONEY_MAX, _bump, _fresh, _lock
from .timeline import timeline_add

MAX_LINES = 200
QUANTITY_MAX = Decimal("999999999.999")  # max_digits=12, decimal_places=3
PRICE_MAX = Decimal("999999999999.99")  # max_digits=14, decimal_places=2


def _error(index: int, field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={f"items.{index}.{field}": [message]})


def _decimal(value: Any, index: int, field: str, *, places: str, maximum: Decimal) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise _error(index, field, _("Enter a number."))
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise _error(index, field, _("Enter a number.")) from None
    if not number.is_finite():
        raise _error(index, field, _("Enter a number."))
    if number > maximum:
        raise _error(index, field, _("The number is too large."))
    return number.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _product(actor: Actor, item: dict[str, Any], index: int) -> Product:
    value = item.get("product", item.get("product_id"))
    if isinstance(value, Product):
        ensure_same_workspace(actor, value)
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        product = Product.objects.filter(workspace_id=actor.workspace.pk, pk=value).first()
        if product is not None:
            return product
    raise _error(index, "product_id", _("Choose a product of this workspace."))


def line_total(*, quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    """quantity × price × (1 − discount/100), not yet rounded."""
    return quantity * unit_price * (Decimal(100) - discount_percent) / Decimal(100)


def _clean_items(actor: Actor, items: Any) -> list[DealLineItem]:
    if not isinstance(items, list):
        raise ApplicationError(_("Send a list of line items."), fields={"items": [_("Send a list.")]})
    if len(items) > MAX_LINES:
        raise ApplicationError(_("Too many line items."), fields={"items": [_("At most %(n)d.") % {"n": MAX_LINES}]})
    lines = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise _error(index, "product_id", _("Each line needs a product and a quantity."))
        product = _product(actor, item, index)
        quantity = _decimal(item.get("quantity", 1), index, "quantity", places="0.001", maximum=QUANTITY_MAX)
        if quantity <= 0:
            raise _error(index, "quantity", _("The quantity must be more than zero."))
        price_value = item.get("unit_price")
        unit_price = Decimal(str(product.price)) if price_value is None else _decimal(
            price_value, index, "unit_price", places="0.01", maximum=PRICE_MAX
        )
        if unit_price < 0:
            raise _error(index, "unit_price", _("The price must be zero or more."))
        discount = _decimal(item.get("discount_percent", 0) or 0, index, "discount_percent", places="0.01",
                            maximum=Decimal(100))
        if discount < 0:
            raise _error(index, "discount_percent", _("The discount must be between 0 and 100."))
        lines.append(DealLineItem(workspace=actor.workspace, product=product, quantity=quantity,
                                  unit_price=unit_price, discount_percent=discount,
                                  unit_cost=Decimal(str(product.unit_cost))))
    return lines


@transaction.atomic
def deal_set_line_items(*, actor: Actor, deal: Deal, items: list[dict[str, Any]], version: Any) -> Deal:
    """Replace the deal's line items; the amount and cost become their sums (an empty list: manual again)."""
    actor.require(Capability.CRM_EDIT_DEALS)
    ensure_same_workspace(actor, deal)
    lines = _clean_items(actor, items)
    current = _lock(deal, version)
    fields: dict[str, Any] = {"amount_is_manual": not lines}
    if lines:
        amount = sum((line_total(quantity=line.quantity, unit_price=line.unit_price,
                                 discount_percent=line.discount_percent) for line in lines), Decimal(0))
        cost = sum((line.quantity * line.unit_cost for line in lines), Decimal(0))
        fields["amount"] = amount.quantize(CENT, rounding=ROUND_HALF_UP)
        fields["cost"] = cost.quantize(CENT, rounding=ROUND_HALF_UP)
        if fields["amount"] > MONEY_MAX or fields["cost"] > MONEY_MAX:
            raise ApplicationError(_("The total is too large."), fields={"items": [_("The total is too large.")]})
    now = timezone.now()
    _bump(current.pk, current.version, now, **fields)
    DealLineItem.objects.filter(deal=current).delete()
    for line in lines:
        line.deal = current
    DealLineItem.objects.bulk_create(lines)
    if "amount" in fields and fields["amount"] != current.amount:
        audit_record(action="deal.amount", actor=actor.user, target=current,
                     diff={"amount": [str(current.amount), str(fields["amount"])], "source": "line_items"})
    audit_record(action="deal.line_items", actor=actor.user, target=current,
                 diff={"lines": len(lines), "cost": [str(current.cost), str(fields.get("cost", current.cost))]})
    timeline_add(kind="line_items_changed", workspace_id=actor.workspace.pk, actor=actor.user, deal=current, at=now,
                 data={"lines": len(lines), "amount": str(fields.get("amount", current.amount))})
    return _fresh(current.pk)
