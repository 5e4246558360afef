"""API shapes for pipelines, stages and lost reasons (SECURITY.md R5: inputs list only what a client may set)."""

from __future__ import annotations

from ninja import Field, Schema

from voronka.core.api import Text

from ..models import Pipeline, StageKind


class StageRead(Schema):
    id: int
    pipeline_id: int
    name: str
    order: int
    probability: int
    stalled_after_days: int | None
    kind: StageKind
    required_fields: list[str]


class PipelineRead(Schema):
    id: int
    name: str
    team_id: int | None
    is_default: bool
    order: int
    stages: list[StageRead]

    @staticmethod
    def resolve_stages(obj: Pipeline) -> list[object]:
        return list(obj.stages.all())


class PipelineCreate(Schema):
    name: Text = Field(..., max_length=120)
    team_id: int | None = None
    is_default: bool = False


class PipelineUpdate(Schema):
    """Omit a field to keep it; `team_id: null` opens the pipeline to the whole workspace."""

    name: Text | None = Field(None, max_length=120)
    team_id: int | None = None
    is_default: bool | None = None
    order: int | None = Field(None, ge=0, le=32767)


class StageCreate(Schema):
    name: Text = Field(..., max_length=120)
    probability: int = Field(0, ge=0, le=100)
    kind: StageKind = StageKind.OPEN
    stalled_after_days: int | None = Field(None, ge=1, le=3650)
    required_fields: list[Text] = Field(default_factory=list, max_length=50)
    order: int | None = Field(None, ge=0, le=32767)


class StageUpdate(Schema):
    name: Text | None = Field(None, max_length=120)
    probability: int | None = Field(None, ge=0, le=100)
    kind: StageKind | None = None
    stalled_after_days: int | None = Field(None, ge=1, le=3650)
    required_fields: list[Text] | None = Field(None, max_length=50)
    order: int | None = Field(None, ge=0, le=32767)


class StageReorder(Schema):
    stage_ids: list[int] = Field(..., max_length=100)


class LostReasonRead(Schema):
    id: int
    name: str
    is_active: bool


class LostReasonCreate(Schema):
    name: Text = Field(..., max_length=120)


class LostReasonUpdate(Schema):
    name: Text | None = Field(None, max_length=120)
    is_active: bool | None = None
