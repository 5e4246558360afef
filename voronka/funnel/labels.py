"""Names of the win-probability model's features, as the deal page and the model page show them."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

FEATURE_LABELS: dict[str, Promise] = {
    "stage": gettext_lazy("Stage"),
    "age_days": gettext_lazy("Days since created"),
    "days_in_stage": gettext_lazy("Days in stage"),
    "log_amount": gettext_lazy("Amount"),
    "channel": gettext_lazy("Channel"),
    "owner": gettext_lazy("Owner"),
    "owner_win_rate": gettext_lazy("Owner's win rate"),
    "activities": gettext_lazy("Activities done"),
    "recent_activities": gettext_lazy("Activities in the last 14 days"),
    "moved_back": gettext_lazy("Moves back to an earlier stage"),
    "days_past_close_date": gettext_lazy("Days past the expected close date"),
    "lead_source": gettext_lazy("Lead source"),
    "industry": gettext_lazy("Industry"),
}
