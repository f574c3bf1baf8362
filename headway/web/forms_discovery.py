"""Forms of the discovery record page: one small form per section of the record,
the "dig deeper" answer and a leader.

They parse; `discovery.services` decides. Texts are not required here so that the
service's own explanation shows next to the field.
"""

from __future__ import annotations

from typing import Any

from django import forms

from headway.accounts.models import Membership
from headway.discovery.models import LeaderProblem, Seniority
from headway.teams.models import Team

# The sections of the record, each saved on its own; the keys are the page's anchors.
SECTIONS: dict[str, tuple[str, ...]] = {
    "why": ("why_stated", "real_reason"),
    "champion": ("champion", "champion_name", "champion_seniority", "champion_hours_per_month"),
    "pilot-teams": ("pilot_teams",),
    "time": ("time_expectation", "time_expectation_agreed"),
    "risks": ("risks",),
    "notes": ("notes",),
}
# The service's argument names for the form's fields where they differ.
SERVICE_NAMES = {"champion": "champion_id", "pilot_teams": "pilot_team_ids"}


def _text(label: str, help_text: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _member_choices(members: list[Membership], empty: str) -> list[tuple[str, str]]:
    return [("", empty)] + [(str(m.user_id), m.user.display_name) for m in members]


class DiscoveryRecordForm(forms.Form):
    why_stated = _text("Why OKRs, as first stated", "In the words you first heard.")
    real_reason = _text(
        "The real reason",
        "Where digging deeper led: the problem OKRs should solve here.",
    )
    champion = forms.ChoiceField(label="Champion (a member)", required=False)
    champion_name = forms.CharField(
        label="…or their name",
        required=False,
        help_text="If the champion does not use Headway.",
    )
    champion_seniority = forms.ChoiceField(
        label="Seniority",
        required=False,
        choices=[("", "Not known yet"), *Seniority.choices],
    )
    champion_hours_per_month = forms.CharField(
        label="Hours a month they give the rollout",
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 744}),
    )
    pilot_teams = forms.MultipleChoiceField(
        label="Pilot teams",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Start with one or two teams.",
    )
    time_expectation = _text(
        "Time expectation", "How long the rollout is expected to take, in plain words."
    )
    time_expectation_agreed = forms.BooleanField(label="Agreed with the champion", required=False)
    risks = _text("Risks", rows=4)
    notes = _text("Notes", rows=4)

    def __init__(
        self,
        *args: Any,
        section: str,
        members: list[Membership],
        teams: list[Team],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in SECTIONS[section]:
                del self.fields[name]
        if "champion" in self.fields:
            self.fields["champion"].choices = _member_choices(members, "Nobody chosen")  # type: ignore[attr-defined]
        if "pilot_teams" in self.fields:
            self.fields["pilot_teams"].choices = [(str(t.pk), t.name) for t in teams]  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        return {SERVICE_NAMES.get(k, k): v for k, v in self.cleaned_data.items()}


class FollowupForm(forms.Form):
    answer = _text("Your answer")


class LeaderForm(forms.Form):
    user = forms.ChoiceField(label="Leader (a member)", required=False)
    name = forms.CharField(
        label="…or their name", required=False, help_text="If they do not use Headway."
    )
    role = forms.CharField(label="Role", required=False)
    problem = forms.ChoiceField(
        label="The problem they need solved",
        required=False,
        choices=[("", "Choose…"), *LeaderProblem.choices],
    )
    problem_detail = _text("In their words", rows=2)

    def __init__(self, *args: Any, members: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = _member_choices(members, "Not a member")  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["user_id"] = data.pop("user") or None
        return data
