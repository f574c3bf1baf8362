"""Initiatives (the work that moves key results) and alignment links between goals."""

# No `from __future__ import annotations` in router modules: ninja resolves the
# parameter types of a @paginate-wrapped view in ninja's own namespace, where a
# string such as "Role | None" names nothing and the endpoint fails with a 500.

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from headway.goals import services
from headway.goals.models import AlignmentLink, Initiative, LinkKind
from headway.goals.selectors import (
    alignment_link_get,
    alignment_links_list,
    initiative_get_for_member,
    initiatives_list,
    objective_get_for_member,
)

from .auth import member_of
from .common import BODY_ERRORS, WRITE_ERRORS, Id, Pages, changes, responses

router = Router(tags=["initiatives and alignment"])

ParentType = Literal["theme", "objective", "key_result"]
# Not Initiative.Status: OpenAPI would document it under the bare name "Status".
InitiativeStatus = Literal["planned", "in_progress", "done", "dropped"]


class InitiativeOut(Schema):
    id: int
    title: str
    description: str
    status: str
    owner_id: int | None
    key_result_ids: list[int]
    created_at: dt.datetime

    @staticmethod
    def resolve_key_result_ids(initiative: Initiative) -> list[int]:
        return [key_result.pk for key_result in initiative.key_results.all()]


class InitiativeIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    status: InitiativeStatus = "planned"
    owner_id: Id | None = Field(None, description="A user id of a member of the organisation.")
    key_result_ids: list[Id] = Field(
        ..., description="The key results this work should move; at least one."
    )


class InitiativePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    status: InitiativeStatus | None = None
    owner_id: Id | None = None
    key_result_ids: list[Id] | None = Field(None, description="Replaces the linked key results.")


class LinkOut(Schema):
    id: int
    child_id: int
    child_title: str
    parent_type: ParentType
    parent_id: int
    parent_title: str
    kind: str
    weight: float
    created_at: dt.datetime

    @staticmethod
    def resolve_child_title(link: AlignmentLink) -> str:
        return link.child.title

    @staticmethod
    def resolve_parent_type(link: AlignmentLink) -> str:
        if link.parent_theme_id:
            return "theme"
        return "objective" if link.parent_objective_id else "key_result"

    @staticmethod
    def resolve_parent_id(link: AlignmentLink) -> int:
        return link.parent.pk

    @staticmethod
    def resolve_parent_title(link: AlignmentLink) -> str:
        return link.parent.title


class LinkIn(Schema):
    child_id: Id = Field(..., description="The objective being aligned.")
    parent_type: ParentType
    parent_id: Id = Field(..., description="The theme, objective or key result it aligns to.")
    kind: LinkKind = Field(
        LinkKind.CONTRIBUTES,
        description="`contributes` counts in the parent's progress; `supports` is shown only.",
    )
    weight: float = Field(1.0, description="Above 0; the child's share when it contributes.")


# ---------------------------------------------------------------- initiatives


@router.get("/initiatives", response=responses({200: list[InitiativeOut]}), summary="Initiatives")
@paginate(Pages)
def initiatives(
    request: HttpRequest,
    key_result_id: Id | None = None,
    objective_id: Id | None = None,
    status: InitiativeStatus | None = None,
    owner_id: Id | None = None,
) -> object:
    return initiatives_list(
        member_of(request),
        key_result_id=key_result_id,
        objective_id=objective_id,
        status=status,
        owner_id=owner_id,
    )


@router.post(
    "/initiatives",
    response=responses({201: InitiativeOut}, BODY_ERRORS),
    summary="Add an initiative to key results",
)
def initiative_create(request: HttpRequest, payload: InitiativeIn) -> Status[Initiative]:
    member = member_of(request)
    initiative = services.initiative_create(member=member, **payload.dict())
    return Status(201, initiative_get_for_member(member, initiative.pk))


@router.get(
    "/initiatives/{initiative_id}",
    response=responses({200: InitiativeOut}),
    summary="One initiative",
)
def initiative_read(request: HttpRequest, initiative_id: Id) -> Initiative:
    return initiative_get_for_member(member_of(request), initiative_id)


@router.patch(
    "/initiatives/{initiative_id}",
    response=responses({200: InitiativeOut}, BODY_ERRORS),
    summary="Change an initiative or the key results it moves",
)
def initiative_update(
    request: HttpRequest, initiative_id: Id, payload: InitiativePatch
) -> Initiative:
    member = member_of(request)
    initiative = initiative_get_for_member(member, initiative_id)
    data = changes(payload, nullable={"owner_id"})
    services.initiative_update(member=member, initiative=initiative, **data)
    return initiative_get_for_member(member, initiative_id)


@router.delete(
    "/initiatives/{initiative_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete an initiative",
)
def initiative_delete(request: HttpRequest, initiative_id: Id) -> Status[None]:
    member = member_of(request)
    services.initiative_delete(
        member=member, initiative=initiative_get_for_member(member, initiative_id)
    )
    return Status(204, None)


# ---------------------------------------------------------------- alignment links


@router.get(
    "/alignment-links",
    response=responses({200: list[LinkOut]}),
    summary="Alignment links, oldest first",
)
@paginate(Pages)
def alignment_links(
    request: HttpRequest,
    child_id: Id | None = None,
    parent_type: ParentType | None = None,
    parent_id: Id | None = None,
) -> object:
    if parent_id is not None and parent_type is None:
        raise ValidationError(
            {"parent_type": "Say what parent_id names: theme, objective or key_result."}
        )
    return alignment_links_list(
        member_of(request), child_id=child_id, parent_type=parent_type, parent_id=parent_id
    )


@router.post(
    "/alignment-links",
    response=responses({201: LinkOut}, BODY_ERRORS),
    summary="Align an objective to a theme, an objective or a key result",
    description=(
        "422 for a loop, a parent of another organisation, or a parent objective whose "
        "cycle does not cover the child's; 409 when the two are already linked."
    ),
)
def alignment_link_create(request: HttpRequest, payload: LinkIn) -> Status[AlignmentLink]:
    member = member_of(request)
    try:
        child = objective_get_for_member(member, payload.child_id)
    except Http404:
        raise ValidationError({"child_id": "Choose an objective you can see."}) from None
    link = services.alignment_link_create(
        member=member, child=child, **payload.dict(exclude={"child_id"})
    )
    return Status(201, alignment_link_get(member, link.pk))


@router.get(
    "/alignment-links/{link_id}", response=responses({200: LinkOut}), summary="One alignment link"
)
def alignment_link_read(request: HttpRequest, link_id: Id) -> AlignmentLink:
    return alignment_link_get(member_of(request), link_id)


@router.delete(
    "/alignment-links/{link_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Remove an alignment link; the parents roll up again",
)
def alignment_link_delete(request: HttpRequest, link_id: Id) -> Status[None]:
    member = member_of(request)
    services.alignment_link_delete(member=member, link=alignment_link_get(member, link_id))
    return Status(204, None)
