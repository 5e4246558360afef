"""Roles and what each may do: the one capability table (SECURITY.md R3).

Every view and endpoint names the capability it needs; nothing checks a role by name.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _

from voronka.core.visibility import VisibilityScope


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Sales manager")
    REP = "rep", _("Sales rep")
    MARKETER = "marketer", _("Marketer")


class Capability(StrEnum):
    VIEW_WORKSPACE = "workspace.view"
    MANAGE_WORKSPACE = "workspace.manage"
    VIEW_MEMBERS = "members.view"
    INVITE_MEMBERS = "members.invite"
    MANAGE_MEMBERS = "members.manage"
    VIEW_TEAMS = "teams.view"
    MANAGE_TEAMS = "teams.manage"
    MANAGE_OWN_TOKENS = "tokens.own"
    VIEW_AUDIT = "audit.view"
    CRM_VIEW = "crm.view"
    CRM_EDIT_CONTACTS = "crm.edit_contacts"  # companies and contacts
    CRM_EDIT_DEALS = "crm.edit_deals"  # deals and activities
    CRM_ASSIGN = "crm.assign"  # give a record to another owner
    CRM_DELETE = "crm.delete"
    CRM_IMPORT = "crm.import"
    CRM_EXPORT = "crm.export"
    CRM_MERGE = "crm.merge"
    CRM_CONFIGURE = "crm.configure"  # pipelines, stages, products, custom fields, lost reasons
    # Numbers: everyone reads them, always limited to the rows their visibility allows.
    METRICS_VIEW = "metrics.view"
    ANALYTICS_VIEW = "analytics.view"  # dashboards, the channel comparison, reports
    DASHBOARDS_SHARE = "analytics.share"  # share a dashboard or a report with a team
    REPORTS_SCHEDULE = "analytics.schedule"  # email a saved report every week
    GOALS_VIEW = "goals.view"
    GOALS_MANAGE = "goals.manage"  # set, split and archive goals; write objectives
    ALERTS_MANAGE = "goals.alerts"  # KPI alert rules
    FUNNEL_VIEW = "funnel.view"  # funnel, bottlenecks, forecast
    FUNNEL_MANAGE = "funnel.manage"  # retrain the win-probability model, take forecast snapshots
    CHANNELS_MANAGE = "channels.manage"  # the sales-channel catalogue and its economics


_EVERYONE = {
    Capability.VIEW_WORKSPACE,
    Capability.VIEW_MEMBERS,
    Capability.VIEW_TEAMS,
    Capability.MANAGE_OWN_TOKENS,
    Capability.CRM_VIEW,
    Capability.CRM_EDIT_CONTACTS,
    Capability.CRM_EXPORT,
    Capability.METRICS_VIEW,
    Capability.ANALYTICS_VIEW,
    Capability.GOALS_VIEW,
    Capability.FUNNEL_VIEW,
}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.MANAGER: frozenset(
        _EVERYONE
        | {
            Capability.INVITE_MEMBERS, Capability.CRM_EDIT_DEALS, Capability.CRM_ASSIGN, Capability.CRM_DELETE,
            Capability.CRM_IMPORT, Capability.CRM_MERGE, Capability.DASHBOARDS_SHARE, Capability.REPORTS_SCHEDULE,
            Capability.GOALS_MANAGE, Capability.ALERTS_MANAGE, Capability.FUNNEL_MANAGE,
        }
    ),
    Role.REP: frozenset(_EVERYONE | {Capability.CRM_EDIT_DEALS}),
    Role.MARKETER: frozenset(_EVERYONE | {Capability.CRM_IMPORT, Capability.REPORTS_SCHEDULE}),
}

# What rows a role sees inside the workspace; reps widen to their team where the workspace allows.
ROLE_VISIBILITY: dict[str, VisibilityScope] = {
    Role.ADMIN: VisibilityScope.ALL,
    Role.MANAGER: VisibilityScope.TEAM,
    Role.REP: VisibilityScope.OWN,
    Role.MARKETER: VisibilityScope.ALL,
}

# Roles a manager may hand out through an invitation; admins may hand out any.
MANAGER_INVITABLE_ROLES = frozenset({Role.REP, Role.MARKETER})


def role_has(role: str, capability: Capability) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())
