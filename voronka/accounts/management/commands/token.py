from django.core.management.base import BaseCommand, CommandError, CommandParser

from voronka.accounts.models import Membership, User
from voronka.accounts.services.tokens import api_token_issue_for


class Command(BaseCommand):
    help = "Issue an API token for a user in one of their workspaces and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--workspace", help="Workspace slug; defaults to the user's only workspace.")
        parser.add_argument("--name", default="cli", help="A label for the token.")

    def handle(self, *args: object, email: str, workspace: str | None, name: str, **options: object) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user with email {email}.")
        memberships = Membership.unscoped.filter(user=user, is_active=True).select_related("workspace")
        if workspace:
            memberships = memberships.filter(workspace__slug=workspace)
        found = list(memberships[:2])
        if not found:
            raise CommandError("The user has no active membership in that workspace.")
        if len(found) > 1:
            slugs = ", ".join(m.workspace.slug for m in memberships)
            raise CommandError(f"The user is in several workspaces; pass --workspace (one of: {slugs}).")
        _token, secret = api_token_issue_for(user=user, workspace=found[0].workspace, name=name)
        self.stdout.write(secret)
