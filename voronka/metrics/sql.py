"""SQL expressions of the metric engine that Django does not have: time-bucket indexes and the median."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Aggregate, Case, F, Func, IntegerField, Value, When
from django.db.models.lookups import LessThan


class BucketIndex(Func):
    """The index of the time bucket a date falls in, given the ends of all buckets but the last (ascending).

    PostgreSQL answers with `width_bucket` (a binary search in C); elsewhere a nested CASE does the
    same binary search, so each row costs log2(buckets) comparisons instead of one per bucket.
    """

    output_field = IntegerField()

    def __init__(self, field_path: str, ends: list[Any], field_type: models.Field[Any, Any]) -> None:
        self.ends = list(ends)
        self.field_type = field_type
        super().__init__(F(field_path))

    def _search(self, column: Any, low: int, high: int) -> Any:
        if low == high:
            return Value(low, output_field=IntegerField())
        middle = (low + high) // 2
        return Case(
            When(LessThan(column, Value(self.ends[middle], output_field=self.field_type)),
                 then=self._search(column, low, middle)),
            default=self._search(column, middle + 1, high),
            output_field=IntegerField(),
        )

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:  # type: ignore[override]
        (column,) = self.get_source_expressions()
        expression = self._search(column, 0, len(self.ends)).resolve_expression(compiler.query)
        return compiler.compile(expression)

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        (column,) = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        ends = [self.field_type.get_db_prep_value(end, connection) for end in self.ends]
        array_type = "date" if not isinstance(self.field_type, models.DateTimeField) else "timestamptz"
        placeholders = ", ".join(["%s"] * len(ends))
        return (f"width_bucket({column_sql}, ARRAY[{placeholders}]::{array_type}[])",
                (*column_params, *ends))


class Median(Aggregate):
    """The median (the mean of the two middle values for an even count), in SQL where the database can."""

    function = "percentile_cont"
    name = "Median"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
