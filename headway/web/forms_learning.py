"""Forms of the course-correction pages: record a pivot, adjust a target.

They parse; `goals.services.pivot_record` and `key_result_target_change` decide. Texts
are not required here so that a missing one gets the service's own explanation.
"""

from __future__ import annotations

from typing import Any

from django import forms

from headway.goals.models import Initiative, KeyResult
from headway.web.forms import Choices
from headway.web.templatetags.goals_tags import measure


def _text(label: str, help_text: str, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class PivotForm(forms.Form):
    tried = _text("What we tried", "The bet that did not move the measure, or not enough.")
    learned = _text(
        "What we learned", "What the result taught you: the part other teams will want to read."
    )
    next_step = _text("What we try next", "The new bet, concrete enough to check in on.")
    flag_id = forms.CharField(required=False, widget=forms.HiddenInput)
    new_target = forms.CharField(
        label="New target (optional)",
        required=False,
        help_text="Leave empty to keep the target.",
    )
    target_reason = _text(
        "Why the target moves", "Needed with a new target; kept in the target's history.", 2
    )
    start_initiatives = _text(
        "Initiatives to start", "One per line; each is linked to this key result.", 3
    )
    stop_initiative_ids = forms.TypedMultipleChoiceField(
        coerce=int,
        label="Initiatives to stop",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They are marked dropped; their history stays.",
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        key_result: KeyResult,
        initiatives: list[Initiative],
        can_move_target: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: Choices = [
            (i.pk, f"{i.title} ({i.get_status_display().lower()})") for i in initiatives
        ]
        self.fields["stop_initiative_ids"].choices = choices  # type: ignore[attr-defined]
        if not initiatives:
            del self.fields["stop_initiative_ids"]
        if key_result.kind == KeyResult.Kind.MILESTONE or not can_move_target:
            # A milestone is done or not: there is no target to move. A key result's
            # owner outside the objective's team may pivot but not move the target.
            del self.fields["new_target"]
            del self.fields["target_reason"]
        elif "new_target" in self.fields:
            target = measure(key_result.target_value, key_result)
            self.fields["new_target"].help_text = f"Leave empty to keep the target of {target}."

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "tried": data["tried"],
            "learned": data["learned"],
            "next_step": data["next_step"],
            "flag_id": data["flag_id"] or None,
            "new_target": data.get("new_target") or None,
            "target_reason": data.get("target_reason") or "",
            "start_initiatives": (data["start_initiatives"] or "").splitlines(),
            "stop_initiative_ids": data.get("stop_initiative_ids") or [],
        }


class TargetForm(forms.Form):
    new_target = forms.CharField(label="New target", required=False)
    reason = _text(
        "Why it moves",
        "Overrides without a reason are refused: say what changed since the target was set.",
        3,
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
