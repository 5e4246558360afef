"""Members of the workspace: search, role and team, (de)activation, and pending invitations."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.core.errors import ApplicationError

from ..access import access_invitation, access_membership
from ..actor import Actor
from ..forms import InvitationForm, MemberSearchForm, MembershipForm
from ..roles import Capability
from ..selectors import invitation_list, membership_list
from ..services.invitations import invitation_create, invitation_revoke
from ..services.members import membership_set_active, membership_update
from ._base import FORM_ERROR_STATUS, actor_required, add_service_error, error_status, posted

MEMBERS_PER_PAGE = 25


def _render_members(
    request: HttpRequest, actor: Actor, invite_form: InvitationForm | None = None, status: int = 200
) -> HttpResponse:
    search = MemberSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    can_manage = actor.can(Capability.MANAGE_MEMBERS)
    can_invite = actor.can(Capability.INVITE_MEMBERS)
    # Admins need to see deactivated members to restore them.
    members = membership_list(actor=actor, search=query, include_inactive=can_manage)
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "search": search,
        "query": query,
        "page": page,
        "can_manage": can_manage,
        "can_invite": can_invite,
        "invitations": list(invitation_list(actor=actor)) if can_invite else [],
        "invite_form": invite_form or (InvitationForm(actor=actor) if can_invite else None),
    }
    template = "accounts/members.html"
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "member-table":
        template += "#member-table"  # live search and paging swap only the table
    return render(request, template, context, status=status)


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.VIEW_MEMBERS)
def member_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _render_members(request, actor)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.MANAGE_MEMBERS)
def member_edit_view(request: HttpRequest, actor: Actor, membership_id: int) -> HttpResponse:
    membership = access_membership(actor=actor, membership_id=membership_id)
    initial = {"role": membership.role, "team": membership.team_id}
    form = MembershipForm(posted(request), actor=actor, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                membership_update(
                    actor=actor, membership=membership, role=form.cleaned_data["role"], team=form.cleaned_data["team"]
                )
            except ApplicationError as error:
                add_service_error(form, error)
                status = error_status(error)
            else:
                messages.success(request, _("Saved changes for %(name)s.") % {"name": membership.user.display_name})
                return redirect("accounts:members")
        else:
            status = FORM_ERROR_STATUS
    return render(request, "accounts/member_edit.html", {"membership": membership, "form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.MANAGE_MEMBERS)
def member_set_active_view(request: HttpRequest, actor: Actor, membership_id: int, active: bool) -> HttpResponse:
    """GET asks for confirmation; POST deactivates or reactivates."""
    membership = access_membership(actor=actor, membership_id=membership_id)
    error: ApplicationError | None = None
    if request.method == "POST":
        try:
            membership_set_active(actor=actor, membership=membership, active=active)
        except ApplicationError as refused:
            error = refused
        else:
            message = (
                _("%(name)s can work in this workspace again.")
                if active
                else _("%(name)s no longer has access to this workspace.")
            )
            messages.success(request, message % {"name": membership.user.display_name})
            return redirect("accounts:members")
    context = {"membership": membership, "active": active, "error": error}
    return render(request, "accounts/member_set_active.html", context, status=error_status(error) if error else 200)


@require_http_methods(["POST"])
@actor_required(Capability.INVITE_MEMBERS)
def invitation_create_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = InvitationForm(request.POST, actor=actor)
    if not form.is_valid():
        return _render_members(request, actor, invite_form=form, status=FORM_ERROR_STATUS)
    try:
        invitation = invitation_create(actor=actor, **form.cleaned_data)
    except ApplicationError as error:
        add_service_error(form, error)
        return _render_members(request, actor, invite_form=form, status=error_status(error))
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    return redirect("accounts:members")


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.INVITE_MEMBERS)
def invitation_revoke_view(request: HttpRequest, actor: Actor, invitation_id: int) -> HttpResponse:
    invitation = access_invitation(actor=actor, invitation_id=invitation_id)
    if request.method == "POST":
        invitation_revoke(actor=actor, invitation=invitation)
        messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
        return redirect("accounts:members")
    return render(request, "accounts/invitation_revoke.html", {"invitation": invitation})
