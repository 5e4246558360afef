"""The CRM metrics, their sources and the slices: the catalogue's first entries.

Each definition below is also the documentation the glossary page shows; tests recompute
every one independently with pandas on generated data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from voronka.accounts.models import Team, User
from voronka.channels.models import SalesChannel
from voronka.crm.models import (
    ActivityKind,
    Contact,
    DealLineItem,
    DealStatus,
    Pipeline,
    Product,
    Stage,
)

from .catalogue import (
    Aggregation,
    Context,
    Direction,
    Measure,
    Metric,
    Slice,
    Source,
    Unit,
    money_ratio,
    ratio,
    register_base,
    register_metric,
    register_slice,
    register_source,
    total,
)
from .stage_conversion import stage_conversion

MONEY = DecimalField(max_digits=20, decimal_places=4)
WON = Q(status=DealStatus.WON)

DEAL_SLICES = {
    "owner": "owner_id", "team": "team_id", "pipeline": "pipeline_id", "channel": "channel_id",
    "lead_source": "lead_source", "industry": "company__industry", "product": "line_items__product_id",
    "stage": "stage_id",
}
LINE_SLICES = {
    "owner": "deal__owner_id", "team": "deal__team_id", "pipeline": "deal__pipeline_id",
    "channel": "deal__channel_id", "lead_source": "deal__lead_source", "industry": "deal__company__industry",
    "product": "product_id",
}
CONTACT_SLICES = {
    "owner": "owner_id", "team": "team_id", "lead_source": "lead_source", "industry": "company__industry",
    "channel": "company__channel_id",
}
ACTIVITY_SLICES = {"owner": "owner_id", "team": "team_id", "activity_type": "kind", "pipeline": "deal__pipeline_id"}

DEAL_ANALYSIS_SLICES = frozenset({"owner", "team", "pipeline", "channel", "lead_source", "industry"})


# ---- labels -----------------------------------------------------------------------------------

def _user_labels(workspace_id: int, values: list[Any]) -> dict[Any, str]:
    return {user.pk: user.display_name for user in User.objects.filter(pk__in=values)}


def _named(model: Any) -> Any:
    def labels(workspace_id: int, values: list[Any]) -> dict[Any, str]:
        rows = model.unscoped.filter(workspace_id=workspace_id, pk__in=values)
        return {row.pk: str(row) for row in rows}

    return labels


def _team_labels(workspace_id: int, values: list[Any]) -> dict[Any, str]:
    return {team.pk: team.name for team in Team.unscoped.filter(workspace_id=workspace_id, pk__in=values)}


def _stage_labels(workspace_id: int, values: list[Any]) -> dict[Any, str]:
    rows = Stage.unscoped.filter(workspace_id=workspace_id, pk__in=values).select_related("pipeline")
    return {stage.pk: f"{stage.pipeline.name}: {stage.name}" for stage in rows}


def _as_is(workspace_id: int, values: list[Any]) -> dict[Any, str]:
    return {value: str(value) for value in values}


def _activity_kind_labels(workspace_id: int, values: list[Any]) -> dict[Any, str]:
    names = dict(ActivityKind.choices)
    return {value: str(names.get(value, value)) for value in values}


# ---- bases ------------------------------------------------------------------------------------

def _stalled(context: Context) -> Q:
    """Open deals longer in their stage than the stage allows, as of the query's moment."""
    condition = Q(pk__in=[])
    stages = Stage.unscoped.filter(workspace_id=context.workspace_id, stalled_after_days__isnull=False)
    for stage_id, days in stages.values_list("pk", "stalled_after_days"):
        condition |= Q(stage_id=stage_id, stage_entered_at__lt=context.now - dt.timedelta(days=days))
    return Q(status=DealStatus.OPEN) & condition


# ---- values -----------------------------------------------------------------------------------

def _amount() -> Any:
    return F("amount")


# Percentages are multiplied by 0.01 rather than divided by 100: SQLite stores whole-number decimals
# as integers and would divide them as integers (10 / 100 = 0), while 0.01 keeps the arithmetic
# fractional there and exact (numeric) on PostgreSQL.
PERCENT = Value(Decimal("0.01"))


def _fee_rate(prefix: str = "") -> Any:
    return Coalesce(F(f"{prefix}channel__fee_percent"), Value(Decimal(0)), output_field=MONEY) * PERCENT


def _deal_gross_profit() -> Any:
    return ExpressionWrapper(F("amount") - F("cost") - F("amount") * _fee_rate(), output_field=MONEY)


def _line_total_expression() -> Any:
    return F("quantity") * F("unit_price") * (Value(Decimal(100)) - F("discount_percent")) * PERCENT


def _line_total() -> Any:
    return ExpressionWrapper(_line_total_expression(), output_field=MONEY)


def _line_gross_profit() -> Any:
    total = _line_total_expression()
    return ExpressionWrapper(total - F("quantity") * F("unit_cost") - total * _fee_rate("deal__"), output_field=MONEY)


def _weighted_amount() -> Any:
    probability = Coalesce(F("probability_override"), F("stage__probability"))
    return ExpressionWrapper(F("amount") * probability * PERCENT, output_field=MONEY)


class DaysBetween(Func):
    """Days (a fraction) from one moment to a later one, computed natively by each database."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, template="(julianday(%(expressions)s))",
                           arg_joiner=") - julianday(", **extra_context)

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)",
                           arg_joiner=" - ", **extra_context)


def _cycle() -> Any:
    return DaysBetween(F("closed_at"), F("created_at"))


def _no_line_items() -> Any:
    return ~Exists(DealLineItem.unscoped.filter(deal_id=OuterRef("pk")))


def _has_deal() -> Any:
    return Exists(Contact.deals.through.objects.filter(contact_id=OuterRef("pk")))


# ---- registration -----------------------------------------------------------------------------

def _deal_measure(base: str, date_field: str | None, **kwargs: Any) -> Measure:
    return Measure(source="deals", date_field=date_field, base=base, **kwargs)


# Measures several metrics share; the daily rollups (rollups/crm.py) store them by these same objects.
WON_COUNT = _deal_measure("closed", "closed_at", where=WON)
CLOSED_COUNT = _deal_measure("closed", "closed_at")
LOST_COUNT = _deal_measure("closed", "closed_at", where=Q(status=DealStatus.LOST))
WON_REVENUE = _deal_measure("closed", "closed_at", aggregation=Aggregation.SUM, value=_amount, where=WON)
WON_PROFIT = _deal_measure("closed", "closed_at", aggregation=Aggregation.SUM, value=_deal_gross_profit, where=WON)
NEW_DEALS = _deal_measure("created", "created_at")
PIPELINE_VALUE = _deal_measure("open", "expected_close_date", aggregation=Aggregation.SUM, value=_amount)
WEIGHTED_PIPELINE = _deal_measure("open", "expected_close_date", aggregation=Aggregation.SUM,
                                  value=_weighted_amount)
ACTIVITIES_DONE = Measure("activities", "done_at", "done")


def register_crm_catalogue() -> None:
    """Register the sources, slices and metrics the CRM data defines."""
    register_source(Source("deals", "crm.Deal", "owner", "team", DEAL_SLICES, fanout_slices=frozenset({"product"})))
    register_source(Source("line_items", "crm.DealLineItem", "deal__owner", "deal__team", LINE_SLICES))
    register_source(Source("contacts", "crm.Contact", "owner", "team", CONTACT_SLICES))
    register_source(Source("activities", "crm.Activity", "owner", "team", ACTIVITY_SLICES))

    register_base("deals", "created", lambda context: Q())
    register_base("deals", "closed", lambda context: Q(status__in=[DealStatus.WON, DealStatus.LOST]))
    register_base("deals", "open", lambda context: Q(status=DealStatus.OPEN))
    register_base("deals", "stalled", _stalled)
    register_base("line_items", "won", lambda context: Q(deal__status=DealStatus.WON))
    register_base("contacts", "all", lambda context: Q())
    register_base("activities", "done", lambda context: Q(done_at__isnull=False))

    for slice_ in _slices():
        register_slice(slice_)
    for metric in _metrics():
        register_metric(metric)
    from .rollups.crm import register_crm_rollups

    register_crm_rollups()


def _slices() -> Iterable[Slice]:
    return [
        Slice("owner", _("Owner"), _user_labels, _("The user who owns the record (a rep).")),
        Slice("team", _("Team"), _team_labels, _("The team the record belongs to.")),
        Slice("pipeline", _("Pipeline"), _named(Pipeline),
              _("The deal's pipeline; for activities, the pipeline of the activity's deal.")),
        Slice("channel", _("Sales channel"), _named(SalesChannel),
              _("The deal's sales channel; for contacts, their company's.")),
        Slice("lead_source", _("Lead source"), _as_is, _("Where the deal or the contact came from."),
              value_type=str),
        Slice("product", _("Product"), _named(Product),
              _("Deals that contain the product; money comes from that product's line items.")),
        Slice("industry", _("Industry"), _as_is, _("The industry of the deal's or contact's company."),
              value_type=str),
        Slice("stage", _("Stage"), _stage_labels, _("A stage of a pipeline (for stage conversion).")),
        Slice("activity_type", _("Activity type"), _activity_kind_labels,
              _("Call, meeting, email, task or note."), value_type=str),
    ]


def _metrics() -> Iterable[Metric]:
    won_revenue, won_count, won_profit = WON_REVENUE, WON_COUNT, WON_PROFIT
    # By product, money comes from the line items; a won deal without any keeps its own amount
    # (it lands in the "(none)" product), so the rows of a breakdown add up to the total.
    by_product_revenue = {
        "revenue": Measure("line_items", "deal__closed_at", "won", Aggregation.SUM, _line_total),
        "manual": _deal_measure("closed", "closed_at", aggregation=Aggregation.SUM, value=_amount,
                                where=WON & Q(_no_line_items())),
    }
    by_product_profit = {
        "profit": Measure("line_items", "deal__closed_at", "won", Aggregation.SUM, _line_gross_profit),
        "manual_profit": _deal_measure("closed", "closed_at", aggregation=Aggregation.SUM,
                                       value=_deal_gross_profit, where=WON & Q(_no_line_items())),
    }
    deal_slices = DEAL_ANALYSIS_SLICES | {"product"}
    higher, lower = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER
    return [
        Metric("new_leads", _("New leads"),
               _("Contacts created in the period (each new contact is a lead)."),
               Unit.COUNT, higher, {"leads": Measure("contacts", "created_at", "all")},
               frozenset(CONTACT_SLICES), drill="leads"),
        Metric("lead_to_deal", _("Lead-to-deal conversion"),
               _("Of the contacts created in the period, the share linked to at least one deal (today)."),
               Unit.RATIO, higher,
               {"leads": Measure("contacts", "created_at", "all"),
                "converted": Measure("contacts", "created_at", "all", where=_has_deal())},
               frozenset(CONTACT_SLICES), combine=ratio("converted", "leads"), drill="leads"),
        Metric("new_deals", _("New deals"), _("Deals created in the period."), Unit.COUNT, higher,
               {"deals": NEW_DEALS}, deal_slices, drill="deals"),
        Metric("deals_won", _("Deals won"), _("Deals won in the period (dated by the day they were won)."),
               Unit.COUNT, higher, {"won": won_count}, deal_slices, drill="won"),
        Metric("deals_lost", _("Deals lost"), _("Deals lost in the period (dated by the day they were lost)."),
               Unit.COUNT, lower, {"lost": LOST_COUNT},
               deal_slices, drill="lost"),
        Metric("revenue", _("Revenue"),
               _("The amount of the deals won in the period. By product: the won line items of that product, "
                 "after discount; a won deal without line items counts with its own amount as “no product”."),
               Unit.MONEY, higher, {"revenue": won_revenue}, deal_slices, combine=total("revenue", "manual"),
               variants={"product": by_product_revenue}, drill=("revenue", "manual")),
        Metric("average_check", _("Average check"), _("Revenue divided by the number of deals won."),
               Unit.MONEY, higher, {"revenue": won_revenue, "won": won_count}, deal_slices,
               combine=money_ratio(("revenue", "manual"), "won"),
               variants={"product": {**by_product_revenue, "won": won_count}}, drill="won"),
        Metric("win_rate", _("Win rate"),
               _("Deals won divided by deals closed (won or lost) in the period."),
               Unit.RATIO, higher, {"won": won_count, "closed": CLOSED_COUNT},
               deal_slices, combine=ratio("won", "closed"), drill="closed"),
        Metric("gross_profit", _("Gross profit"),
               _("Revenue of the deals won in the period minus their product costs and the sales channel's fee "
                 "(fee % × amount). By product: the won line items of that product (price after discount minus "
                 "unit cost, minus the channel's fee)."),
               Unit.MONEY, higher, {"profit": won_profit}, deal_slices, combine=total("profit", "manual_profit"),
               variants={"product": by_product_profit}, drill=("profit", "manual_profit")),
        Metric("gross_margin", _("Gross margin"), _("Gross profit divided by revenue."), Unit.RATIO, higher,
               {"profit": won_profit, "revenue": won_revenue},
               deal_slices, combine=ratio(("profit", "manual_profit"), ("revenue", "manual")),
               variants={"product": {**by_product_profit, **by_product_revenue}},
               drill=("revenue", "manual")),
        Metric("sales_cycle", _("Median sales cycle"),
               _("The median number of days from creating a deal to winning it, over the deals won in the period."),
               Unit.DAYS, lower,
               {"days": _deal_measure("closed", "closed_at", aggregation=Aggregation.MEDIAN, value=_cycle,
                                      where=WON)},
               DEAL_ANALYSIS_SLICES, drill="days"),
        Metric("pipeline_value", _("Pipeline value"),
               _("The amount of the open deals expected to close in the period (by expected close date)."),
               Unit.MONEY, higher,
               {"value": PIPELINE_VALUE},
               DEAL_ANALYSIS_SLICES, drill="value"),
        Metric("weighted_pipeline", _("Weighted pipeline"),
               _("Pipeline value with each deal multiplied by its probability (the deal's own, else its stage's)."),
               Unit.MONEY, higher,
               {"value": WEIGHTED_PIPELINE},
               DEAL_ANALYSIS_SLICES, drill="value"),
        Metric("activities_done", _("Activities done"),
               _("Calls, meetings, emails, tasks and notes marked done in the period; break down by type."),
               Unit.COUNT, higher, {"done": ACTIVITIES_DONE}, frozenset(ACTIVITY_SLICES), drill="done"),
        Metric("stalled_deals", _("Stalled deals"),
               _("Open deals that have been in their stage longer than the stage allows, as of now."),
               Unit.COUNT, lower, {"stalled": _deal_measure("stalled", None)}, DEAL_ANALYSIS_SLICES,
               drill="stalled"),
        Metric("stage_conversion", _("Stage conversion"),
               _("Of the deals created in the period that reached a stage, the share that reached the next stage "
                 "(a deal that skipped a stage counts as having passed it)."),
               Unit.RATIO, higher, {}, DEAL_ANALYSIS_SLICES | {"stage"}, required_slices=frozenset({"stage"}),
               compute=stage_conversion),
    ]
