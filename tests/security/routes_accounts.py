"""accounts pages in the route matrix."""

from __future__ import annotations

from conftest import Org
from voronka.accounts.models import ApiToken, Invitation, Membership
from voronka.accounts.services.tokens import api_token_issue_for
from voronka.core.scoping import workspace_scope

from .page_route import PageRoute


def _membership(org: Org, user_attr: str = "rep_south") -> Membership:
    with workspace_scope(org.workspace):
        return Membership.objects.get(user=getattr(org, user_attr))


def _invitation(org: Org) -> Invitation:
    with workspace_scope(org.workspace):
        return Invitation.objects.create(
            workspace=org.workspace, email="x@invite.test", role="rep", invited_by=org.admin,
            expires_at="2099-01-01T00:00:00Z",
        )


def _token(org: Org) -> ApiToken:
    token, _secret = api_token_issue_for(user=org.admin, workspace=org.workspace, name="matrix")
    return token


ADMIN_ONLY = frozenset({"admin"})
INVITERS = frozenset({"admin", "manager"})

PAGES: dict[str, PageRoute] = {
    "home": PageRoute(),
    "accounts:login": PageRoute(public=True),
    "accounts:logout": PageRoute(post_only=True),
    "accounts:password-change": PageRoute(),
    "accounts:password-change-done": PageRoute(),
    "accounts:password-reset": PageRoute(public=True),
    "accounts:password-reset-done": PageRoute(public=True),
    "accounts:password-reset-confirm": PageRoute(public=True, kwargs=lambda org: {"uidb64": "MQ", "token": "x-y"}),
    "accounts:password-reset-complete": PageRoute(public=True),
    "accounts:settings": PageRoute(get_roles=ADMIN_ONLY),
    "accounts:workspace-switch": PageRoute(post_only=True),
    "accounts:teams": PageRoute(),
    "accounts:team-create": PageRoute(get_roles=ADMIN_ONLY, post_only=True),
    "accounts:team-edit": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"team_id": org.north.pk},
        foreign=lambda org: {"team_id": org.north.pk},
    ),
    "accounts:team-delete": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"team_id": org.north.pk},
        foreign=lambda org: {"team_id": org.north.pk},
    ),
    "accounts:members": PageRoute(),
    "accounts:member-edit": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"membership_id": _membership(org).pk},
        foreign=lambda org: {"membership_id": _membership(org).pk},
    ),
    "accounts:member-deactivate": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"membership_id": _membership(org).pk},
        foreign=lambda org: {"membership_id": _membership(org).pk},
    ),
    "accounts:member-reactivate": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"membership_id": _membership(org).pk},
        foreign=lambda org: {"membership_id": _membership(org).pk},
    ),
    "accounts:invitation-create": PageRoute(get_roles=INVITERS, post_only=True),
    "accounts:invitation-revoke": PageRoute(
        get_roles=INVITERS, kwargs=lambda org: {"invitation_id": _invitation(org).pk},
        foreign=lambda org: {"invitation_id": _invitation(org).pk},
    ),
    "accounts:invitation-accept": PageRoute(public=True, kwargs=lambda org: {"token": "not-a-token"}),
    "accounts:tokens": PageRoute(),
    "accounts:token-revoke": PageRoute(
        get_roles=ADMIN_ONLY,  # only the token's owner; the fixture token belongs to the admin
        kwargs=lambda org: {"token_id": _token(org).pk}, foreign=lambda org: {"token_id": _token(org).pk},
    ),
}


