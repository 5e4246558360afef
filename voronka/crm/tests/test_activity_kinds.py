"""ActivityKind labels have their own translation context: the kind "email" is not the field "email"."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext

from voronka.crm.models import ActivityKind, Contact


@pytest.mark.parametrize("kind", list(ActivityKind))
def test_each_kind_is_translated_in_the_activity_kind_context(kind: ActivityKind) -> None:
    with translation.override("ru"):
        assert str(kind.label) == pgettext("activity kind", kind.value)


def test_the_email_kind_is_not_the_email_field() -> None:
    with translation.override("ru"):
        field_label = str(Contact._meta.get_field("email").verbose_name)
        assert field_label == gettext("email") == "электронная почта"
        assert str(ActivityKind.EMAIL.label) != field_label
