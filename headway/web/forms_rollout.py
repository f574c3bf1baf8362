"""Forms of the rollout pages: a new plan (the default three-phase layout or blank), a
plan's title and notes, and a phase with its teams and success criteria.

They parse; `rollout.services` decides. Criteria are typed as percentages here (80
for 80%) and given to the service as shares (0.8). A team is picked with one box, and
"include the teams below" with a second box on the same row; ticking only the second
takes the team with the teams below it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from headway.goals.models import Cycle
from headway.rollout.cleaning import COUNT_METRICS
from headway.rollout.models import SHARE_METRICS, Metric, PhaseKind
from headway.teams.models import Team

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LAYOUTS = [
    ("default", "Pilot, then a department, then the whole organisation (recommended)"),
    ("blank", "Blank: I add the phases myself"),
]
# The form's field for each metric's threshold.
CRITERION_FIELDS = {str(metric): f"criterion_{metric}" for metric in Metric}


def _text(label: str, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class PlanNewForm(forms.Form):
    layout = forms.ChoiceField(
        label="Start from", choices=LAYOUTS, initial="default", widget=forms.RadioSelect
    )
    title = forms.CharField(label="Title", required=False, initial="Rollout plan")
    pilot_teams = forms.MultipleChoiceField(
        label="Pilot teams",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="One or two teams; the suggested ones are ticked.",
    )
    starts_on = forms.DateField(label="The pilot starts on", required=False, widget=DATE)
    notes = _text("Notes")

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pilot_teams"].choices = [(str(t.pk), t.name) for t in teams]  # type: ignore[attr-defined]


class PlanForm(forms.Form):
    title = forms.CharField(label="Title", required=False)
    notes = _text("Notes", rows=4)


class PhaseForm(forms.Form):
    name = forms.CharField(label="Name", required=False, help_text="e.g. “Pilot”.")
    kind = forms.ChoiceField(label="Kind", choices=PhaseKind.choices, initial=PhaseKind.CUSTOM)
    starts_on = forms.DateField(label="First day", required=False, widget=DATE)
    ends_on = forms.DateField(
        label="Last day",
        required=False,
        widget=DATE,
        help_text="Leave empty to end after the expected weeks.",
    )
    expected_weeks = forms.IntegerField(
        label="Expected to take (weeks)",
        required=False,
        help_text="Said up front: a pilot runs at least one full cycle (13 weeks for a quarter).",
        widget=forms.NumberInput(attrs={"min": 1, "max": 260}),
    )
    cycle = forms.ChoiceField(label="Measured over", required=False)
    teams = forms.MultipleChoiceField(label="Teams", required=False)
    subtree = forms.MultipleChoiceField(label="Include the teams below", required=False)
    notes = _text("Notes")

    def __init__(self, *args: Any, teams: list[Team], cycles: list[Cycle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(t.pk), t.name) for t in teams]
        self.fields["teams"].choices = choices  # type: ignore[attr-defined]
        self.fields["subtree"].choices = choices  # type: ignore[attr-defined]
        self.fields["cycle"].choices = [  # type: ignore[attr-defined]
            ("", "The cycle that overlaps the phase's dates most"),
            *((str(c.pk), c.name) for c in cycles),
        ]
        for metric in Metric:
            self.fields[CRITERION_FIELDS[metric]] = _criterion_field(metric)
        self.tree = teams

    @property
    def criterion_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CRITERION_FIELDS.values()]

    def team_rows(self) -> list[dict[str, Any]]:
        """Each team with its depth and whether its two boxes are ticked."""
        picked = set(self._values("teams"))
        below = set(self._values("subtree"))
        return [
            {
                "team": team,
                "depth": getattr(team, "tree_depth", 0),
                "picked": str(team.pk) in picked or str(team.pk) in below,
                "below": str(team.pk) in below,
            }
            for team in self.tree
        ]

    def _values(self, name: str) -> list[str]:
        if self.is_bound:
            return self.data.getlist(name) if hasattr(self.data, "getlist") else []
        return [str(v) for v in self.initial.get(name, [])]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        below = set(data["subtree"])
        picked = list(dict.fromkeys([*data["teams"], *data["subtree"]]))
        return {
            "name": data["name"],
            "kind": data["kind"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "expected_weeks": data["expected_weeks"],
            "cycle_id": data["cycle"] or None,
            "teams": [{"team_id": int(pk), "with_subtree": pk in below} for pk in picked],
            "criteria": self.criteria(),
            "notes": data["notes"],
        }

    def criteria(self) -> list[dict[str, Any]]:
        """The criteria filled in, in the form's order (shares from percentages)."""
        found = []
        for metric, name in CRITERION_FIELDS.items():
            value = self.cleaned_data.get(name)
            if value in (None, False, ""):
                continue
            if metric in SHARE_METRICS:
                value = float(Decimal(value) / 100)
            elif metric == Metric.CALIBRATION:
                value = 0.0
            found.append({"metric": metric, "threshold": value})
        return found

    def place_error(self, name: str, messages: list[str]) -> tuple[str | None, list[str]] | None:
        """Put a service's error on the criterion's own box, e.g. criteria.1.threshold."""
        if name == "cycle_id":
            return "cycle", messages
        if not name.startswith("criteria"):
            return None
        parts = name.split(".")
        if len(parts) >= 2 and parts[1].isdigit():
            filled = self.criteria()
            index = int(parts[1])
            if index < len(filled):
                return CRITERION_FIELDS[filled[index]["metric"]], messages
        return None, messages


def _criterion_field(metric: Metric) -> forms.Field:
    label = str(metric.label)
    if metric == Metric.CALIBRATION:
        return forms.BooleanField(label=f"{label}: calibrated at the close", required=False)
    if metric in COUNT_METRICS:
        return forms.IntegerField(
            label=f"{label}: at least",
            required=False,
            min_value=0,
            error_messages={"min_value": "Give a whole number, 0 or more."},
            widget=forms.NumberInput(attrs={"min": 0}),
        )
    return forms.DecimalField(
        label=f"{label}: at least (%)",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
        error_messages={
            "min_value": "Give a percentage from 0 to 100.",
            "max_value": "Give a percentage from 0 to 100.",
        },
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": "any"}),
    )


def phase_initial(phase: Any, criteria: list[Any], teams: list[Any]) -> dict[str, Any]:
    """A saved phase as the form's initial values (thresholds back to percentages)."""
    initial: dict[str, Any] = {
        "name": phase.name,
        "kind": phase.kind,
        "starts_on": phase.starts_on,
        "ends_on": phase.ends_on,
        "expected_weeks": phase.expected_weeks,
        "cycle": str(phase.cycle_id or ""),
        "notes": phase.notes,
        "teams": [str(pt.team_id) for pt in teams],
        "subtree": [str(pt.team_id) for pt in teams if pt.with_subtree],
    }
    initial.update(criteria_initial([(c.metric, c.threshold) for c in criteria]))
    return initial


def criteria_initial(criteria: list[tuple[str, float]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for metric, threshold in criteria:
        name = CRITERION_FIELDS[metric]
        if metric in SHARE_METRICS:
            percent = round(threshold * 100, 1)
            found[name] = int(percent) if percent.is_integer() else percent
        elif metric == Metric.CALIBRATION:
            found[name] = True
        else:
            found[name] = int(threshold)
    return found
