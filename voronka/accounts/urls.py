from django.urls import path

from .views import auth, invitations, members, teams, tokens, workspace

app_name = "accounts"

urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("password/change/", auth.PasswordChangeView.as_view(), name="password-change"),
    path("password/change/done/", auth.PasswordChangeDoneView.as_view(), name="password-change-done"),
    path("password/reset/", auth.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", auth.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path("password/reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("password/reset/complete/", auth.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("settings/", workspace.settings_view, name="settings"),
    path("workspace/switch/", workspace.workspace_switch, name="workspace-switch"),
    path("teams/", teams.team_list_view, name="teams"),
    path("teams/new/", teams.team_create_view, name="team-create"),
    path("teams/<int:team_id>/edit/", teams.team_edit_view, name="team-edit"),
    path("teams/<int:team_id>/delete/", teams.team_delete_view, name="team-delete"),
    path("members/", members.member_list_view, name="members"),
    path("members/<int:membership_id>/edit/", members.member_edit_view, name="member-edit"),
    path(
        "members/<int:membership_id>/deactivate/",
        members.member_set_active_view,
        {"active": False},
        name="member-deactivate",
    ),
    path(
        "members/<int:membership_id>/reactivate/",
        members.member_set_active_view,
        {"active": True},
        name="member-reactivate",
    ),
    path("members/invite/", members.invitation_create_view, name="invitation-create"),
    path("members/invitations/<int:invitation_id>/revoke/", members.invitation_revoke_view, name="invitation-revoke"),
    path("invitations/<str:token>/", invitations.invitation_accept_view, name="invitation-accept"),
    path("tokens/", tokens.token_list_view, name="tokens"),
    path("tokens/<int:token_id>/revoke/", tokens.token_revoke_view, name="token-revoke"),
]
