"""A new workspace gets the standard pipeline, lost reasons and channels after commit."""

from voronka.accounts.services.workspaces import workspace_create
from voronka.accounts.tests.factories import UserFactory
from voronka.channels.models import SalesChannel
from voronka.core.scoping import workspace_scope
from voronka.crm.models import LostReason, Pipeline, Stage, StageKind


def test_workspace_created_seeds_crm_defaults(db, django_capture_on_commit_callbacks):
    # given a new user
    owner = UserFactory()
    # when they create a workspace and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        workspace = workspace_create(name="Fresh Co", owner=owner, language="en")
    # then the CRM defaults exist in that workspace only
    with workspace_scope(workspace):
        pipeline = Pipeline.objects.get()
        kinds = list(Stage.objects.filter(pipeline=pipeline).order_by("order").values_list("kind", flat=True))
        assert kinds.count(StageKind.WON) == 1
        assert kinds.count(StageKind.LOST) == 1
        assert kinds[0] == StageKind.OPEN
        assert LostReason.objects.count() >= 5
        assert SalesChannel.objects.count() == 5


def test_a_rolled_back_workspace_seeds_nothing(db, django_capture_on_commit_callbacks):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workspace_create(name="Never Co", owner=owner)
    # the callbacks are captured but never run: nothing seeded
    assert len(callbacks) == 1
    assert Pipeline.unscoped.count() == 0
