"""The registry of sort orders that higher apps add to lower apps' lists."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db.models import F, Value

from voronka.core.sorting import NamedSort, get_sort, register_sort, sorts_for, unregister_sort


@pytest.fixture
def registered() -> Iterator[NamedSort]:
    sort = NamedSort(entity="test-entity", key="score", label="Score", expression=lambda: Value(1), order=5)
    register_sort(sort)
    yield sort
    unregister_sort("test-entity", "score")


def test_registered_sorts_are_found_by_entity_and_key(registered: NamedSort) -> None:
    other = NamedSort(entity="test-entity", key="aaa", label="A", expression=lambda: Value(2), order=9)
    register_sort(other)
    try:
        assert sorts_for("test-entity") == [registered, other]  # by order, then key
        assert get_sort("test-entity", "score") is registered
        assert get_sort("test-entity", "missing") is None and get_sort("test-entity", None) is None
        assert get_sort("another", "score") is None
    finally:
        unregister_sort("test-entity", "aaa")


def test_re_registering_a_key_replaces_it(registered: NamedSort) -> None:
    newer = NamedSort(entity="test-entity", key="score", label="Newer", expression=lambda: Value(3))
    register_sort(newer)
    assert get_sort("test-entity", "score") is newer


@pytest.mark.parametrize("key", ["amount", "recent", "bad key", "x;drop", ""])
def test_reserved_or_odd_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError):
        register_sort(NamedSort(entity="test-entity", key=key, label="x", expression=lambda: Value(1)))


def test_order_by_puts_nulls_last_and_breaks_ties_by_id(registered: NamedSort) -> None:
    descending = registered.order_by()
    assert registered.alias == "sort_score"
    assert descending[0] == F("sort_score").desc(nulls_last=True) and descending[1] == "-id"
    ascending = NamedSort(entity="e", key="k", label="K", expression=lambda: Value(1), descending=False).order_by()
    assert ascending == [F("sort_k").asc(nulls_last=True), "id"]
