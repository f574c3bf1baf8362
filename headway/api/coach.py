"""The coach: quality checks of objectives, key results and bare sentences.

Nothing is read from or written to the database: the body carries what to check, so
any authenticated member (viewers included) may call it.
"""

# No `from __future__ import annotations` in router modules: ninja resolves the
# parameter types of a @paginate-wrapped view in ninja's own namespace, where a
# string such as "Role | None" names nothing and the endpoint fails with a 500.

from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import model_validator

from headway.coach.checks import (
    MAX_CHARS,
    Checked,
    KeyResultDraft,
    ObjectiveDraft,
    check_key_results,
    check_objectives,
)

from .auth import member_of
from .common import BODY_ERRORS, responses

router = Router(tags=["coach"])

MAX_ITEMS = 1000
"""Objectives, key results (nested ones included) and texts in one request, together."""
MAX_TEXT = 10_000
"""Longest title or text accepted; the coach checks the first 500 characters."""

Kind = Literal["increase", "decrease", "maintain", "milestone"]


class CoachKeyResultIn(Schema):
    title: str = Field(..., max_length=MAX_TEXT, description="May be empty: that is a finding.")
    kind: Kind | None = Field(
        None,
        description="Leave out when only the wording is known: the numbers are then looked for in the title.",
    )
    start_value: float | None = Field(None, allow_inf_nan=False)
    target_value: float | None = Field(
        None, allow_inf_nan=False, description="For maintain, the threshold."
    )
    unit: str = Field("", max_length=20, description="e.g. %, EUR, customers, ms.")
    format: Literal["number", "percent", "currency"] = "number"

    def draft(self) -> KeyResultDraft:
        return KeyResultDraft(
            title=self.title,
            kind=self.kind,
            start_value=self.start_value,
            target_value=self.target_value,
            unit=self.unit,
            format=self.format,
        )


class CoachObjectiveIn(Schema):
    title: str = Field(..., max_length=MAX_TEXT)
    key_results: list[CoachKeyResultIn] | None = Field(
        None,
        max_length=MAX_ITEMS,
        description="Its key results, checked too; their number is checked (two to five) only when given.",
    )


class CoachCheckIn(Schema):
    objectives: list[CoachObjectiveIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    key_results: list[CoachKeyResultIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    texts: list[Annotated[str, Field(max_length=MAX_TEXT)]] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Key-result sentences on their own, e.g. 'Grow weekly active users from 2,000 to 5,000'.",
    )

    @model_validator(mode="after")
    def _some_and_not_too_many(self) -> "CoachCheckIn":
        nested = sum(len(o.key_results or []) for o in self.objectives)
        count = len(self.objectives) + nested + len(self.key_results) + len(self.texts)
        if count == 0:
            raise ValueError("Give at least one of objectives, key_results or texts.")
        if count > MAX_ITEMS:
            raise ValueError(
                f"{count} items in one request; send at most {MAX_ITEMS} (nested key results count)."
            )
        return self


class CoachFindingOut(Schema):
    code: str = Field(..., description="Stable, e.g. kr.output, objective.metric, empty.")
    severity: Literal["info", "warning", "problem"]
    message: str = Field(..., description="What the coach noticed and why it matters.")
    rewrite: str | None = Field(None, description="A suggested rewrite, when one can be made.")


class ClassificationOut(Schema):
    label: Literal["outcome", "output"]
    score: float = Field(..., description="Probability that it is an outcome, 0..1.")
    low_confidence: bool
    note: str


class KeyResultCheckOut(Schema):
    title: str
    verdict: Literal["outcome", "output", "unsure"] = Field(
        ..., description="The classifier weighed with the key result's structure."
    )
    classification: ClassificationOut
    findings: list[CoachFindingOut]


class TextCheckOut(Schema):
    text: str
    verdict: Literal["outcome", "output", "unsure"]
    classification: ClassificationOut
    findings: list[CoachFindingOut]


class ObjectiveCheckOut(Schema):
    title: str
    findings: list[CoachFindingOut]
    key_results: list[KeyResultCheckOut] | None


class CoachCheckOut(Schema):
    objectives: list[ObjectiveCheckOut]
    key_results: list[KeyResultCheckOut]
    texts: list[TextCheckOut]


def _kr_out(checked: Checked, name: str = "title") -> dict[str, object]:
    out = checked.as_dict()
    out[name] = out.pop("text")
    return out


@router.post(
    "/coach/check",
    response=responses({200: CoachCheckOut}, BODY_ERRORS),
    summary="Check objectives, key results or sentences for quality",
    description=(
        "Findings per item, in input order: each with a code, a severity (info, warning, "
        "problem), a message saying why it matters and, where one can be made, a suggested "
        "rewrite. Key results and texts also carry the outcome/output classification and "
        f"the coach's verdict. Texts longer than {MAX_CHARS} characters are checked on their "
        "start (finding `cut`); empty text, a bare number or non-English text give defined "
        "findings, never an error."
    ),
)
def coach_check(request: HttpRequest, payload: CoachCheckIn) -> object:
    member_of(request)  # authenticated: any member of any role
    nested = [[kr.draft() for kr in o.key_results or []] for o in payload.objectives]
    drafts = [
        *(d for group in nested for d in group),
        *(kr.draft() for kr in payload.key_results),
        *(KeyResultDraft(text) for text in payload.texts),
    ]
    checked = iter(check_key_results(drafts))  # one classifier batch for everything
    objectives = check_objectives(
        [
            ObjectiveDraft(o.title, len(o.key_results) if o.key_results is not None else None)
            for o in payload.objectives
        ]
    )
    objectives_out = []
    for objective, checked_objective, group in zip(
        payload.objectives, objectives, nested, strict=True
    ):
        krs = [_kr_out(next(checked)) for _ in group]
        out = _kr_out(checked_objective)
        out["key_results"] = krs if objective.key_results is not None else None
        objectives_out.append(out)
    return {
        "objectives": objectives_out,
        "key_results": [_kr_out(next(checked)) for _ in payload.key_results],
        "texts": [_kr_out(next(checked), "text") for _ in payload.texts],
    }
