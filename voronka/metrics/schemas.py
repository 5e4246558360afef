"""API shapes for the metric catalogue and metric queries.

A query body is parsed loosely here (types only) and checked against the catalogue by
`spec.metric_query_build`, which names the field at fault with a stable code.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from voronka.core.api import Text


class MetricRead(Schema):
    key: str
    name: str = Field(description="In the request's language (Accept-Language).")
    description: str
    unit: str = Field(description="count, money (a decimal string in the workspace currency), ratio (0..1) or days.")
    direction: str = Field(description="higher or lower: which way is better.")
    slices: list[str] = Field(description="Slices this metric can be broken down and filtered by.")
    required_slices: list[str]
    time_series: bool = Field(description="False for a snapshot of now (granularity must be total).")
    drill_down: bool


class SliceRead(Schema):
    key: str
    name: str
    description: str


class CatalogueRead(Schema):
    currency: str
    metrics: list[MetricRead]
    slices: list[SliceRead]


class MetricQueryIn(Schema):
    metrics: list[Text] = Field(..., description="Metric keys, at most 20.", examples=[["revenue", "win_rate"]])
    date_from: dt.date = Field(..., description="First local day of the period (workspace time zone).")
    date_to: dt.date = Field(..., description="Last local day of the period, inclusive.")
    slices: list[Text] = Field([], description="Break down by these slices (at most 3).", examples=[["owner"]])
    granularity: Text = Field("total", description="total, day, week, month, quarter or year.")
    filters: dict[Text, list[int | Text | None]] = Field(
        {}, description="Slice → the values to keep; null keeps rows without a value.",
        examples=[{"pipeline": [1], "lead_source": ["web", None]}],
    )


class SliceRef(Schema):
    key: str
    name: str


class BucketRead(Schema):
    key: str
    start: dt.date
    end: dt.date = Field(description="Exclusive.")


class SliceValue(Schema):
    value: int | str | None
    label: str


class ResultRowRead(Schema):
    bucket: str
    slices: dict[str, SliceValue]
    values: dict[str, int | float | str | None] = Field(
        description="Metric key → value: counts are integers, ratios and days numbers, money decimal strings; "
                    "null where a ratio has nothing to divide by.")


class MetricResultRead(Schema):
    metrics: list[MetricRead]
    slices: list[SliceRef]
    granularity: str
    date_from: dt.date
    date_to: dt.date
    as_of: dt.datetime
    currency: str
    buckets: list[BucketRead]
    rows: list[ResultRowRead]
