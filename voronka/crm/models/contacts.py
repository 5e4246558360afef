from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from voronka.core.models import WorkspaceScopedModel

from .base import OwnedRecord, Tag


class AgeBand(models.TextChoices):
    UNDER_25 = "<25", _("under 25")
    A25_34 = "25-34", _("25–34")
    A35_44 = "35-44", _("35–44")
    A45_54 = "45-54", _("45–54")
    A55_PLUS = "55+", _("55 and over")


class Gender(models.TextChoices):
    FEMALE = "f", _("female")
    MALE = "m", _("male")
    OTHER = "x", _("other")


class Contact(OwnedRecord):
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    full_name = models.CharField(_("name"), max_length=200)
    # The primary email and phone, denormalised from ContactPoint for lists and search.
    email = models.CharField(_("email"), max_length=254, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    position = models.CharField(_("position"), max_length=120, blank=True)
    company = models.ForeignKey(
        "crm.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts",
        verbose_name=_("company"),
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    age_band = models.CharField(_("age"), max_length=8, choices=AgeBand.choices, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    lead_source = models.CharField(_("lead source"), max_length=100, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts", verbose_name=_("tags"))

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["full_name", "id"]
        indexes = [models.Index(fields=["workspace", "owner"]), models.Index(fields=["workspace", "full_name"])]

    def __str__(self) -> str:
        return self.full_name


class PointKind(models.TextChoices):
    EMAIL = "email", _("email")
    PHONE = "phone", _("phone")


class ContactPoint(WorkspaceScopedModel):
    """One email (lower-cased, trimmed) or phone (E.164) of a contact; unique in the workspace (R22)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="points")
    kind = models.CharField(max_length=5, choices=PointKind.choices)
    value = models.CharField(max_length=254)
    is_primary = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("contact email or phone")
        verbose_name_plural = _("contact emails and phones")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind", "value"], name="crm_contactpoint_unique_value"),
            models.UniqueConstraint(
                fields=["contact", "kind"], condition=Q(is_primary=True), name="crm_contactpoint_one_primary"
            ),
        ]

    def __str__(self) -> str:
        return self.value
