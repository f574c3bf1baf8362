"""Forms for the web shell. They parse and present; the services decide and write."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError

from headway.accounts.models import COURSE_FIELDS, NOTIFY_FIELDS, Organisation, Role
from headway.goals.models import (
    CycleKind,
    CycleStatus,
    Initiative,
    KeyResult,
    KeyResultStatus,
    LinkKind,
    ObjectiveStatus,
    Visibility,
)
from headway.lib.errors import Conflict
from headway.teams.models import Team, TeamRole

T = TypeVar("T")


def call_service(
    form: forms.Form, service: Callable[[], T], fields: dict[str, str] | None = None
) -> T | None:
    """Run a service; put its errors next to the fields they concern and return None.

    `fields` maps a service's argument names to the form's field names where they
    differ (the service's `user` is the form's `email`).
    """

    def field_of(name: str | None) -> str | None:
        name = (fields or {}).get(name or "", name)
        return name if name in form.fields else None

    try:
        return service()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                add_service_error(form, field, messages, field_of)
        else:
            form.add_error(None, error.messages)
    except Conflict as error:
        form.add_error(field_of(error.field), error.message)
    except PermissionDenied as error:
        form.add_error(None, str(error) or "You are not allowed to do that.")
    return None


def add_service_error(
    form: forms.Form,
    name: str,
    messages: list[str],
    field_of: Callable[[str | None], str | None] | None = None,
) -> None:
    """Put a service's error on `name` next to the form field it concerns: a form may
    place names it knows better itself (`place_error`, e.g. a line of a text area);
    else the field of that name, or the top of the form."""
    place = getattr(form, "place_error", None)
    placed = place(name, messages) if place is not None else None
    if placed is not None:
        form.add_error(*placed)
    elif field_of is not None:
        form.add_error(field_of(name), messages)
    else:
        form.add_error(name if name in form.fields else None, messages)


class EmailLoginForm(AuthenticationForm):
    """Django's login form, labelled for e-mail addresses.

    Addresses are stored in lower case, so the typed one is lowered before it is
    checked; django-axes then counts failures per address whatever its case.
    """

    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "This e-mail address and password do not match an account.",
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "strategy_statement",
            "timezone",
            "checkin_weekday",
            *NOTIFY_FIELDS,
            "confidence_scale",
            *COURSE_FIELDS,
        ]
        widgets = {
            "strategy_statement": forms.Textarea(attrs={"rows": 4}),
            "reminder_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "digest_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=150)
    password = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=80,
        help_text="Where it will be used, e.g. 'weekly import script'.",
    )


class TeamParentField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        depth = getattr(obj, "tree_depth", 0)
        return f"{'— ' * depth}{obj.name}"


# Above this many teams a select of every team is too long to use (and to render):
# the parent is then typed as its short name.
PARENT_SELECT_LIMIT = 300


def _parent_field(
    teams: Any, organisation_id: int, required: bool = False
) -> forms.ModelChoiceField:
    plain = Team.objects.filter(organisation_id=organisation_id)
    # A plain indexed count, not a count of the tree query (which builds every team).
    if plain.count() <= PARENT_SELECT_LIMIT:
        return TeamParentField(
            queryset=teams, required=required, empty_label="(top level)", label="Parent team"
        )
    return forms.ModelChoiceField(
        queryset=plain,
        to_field_name="slug",
        required=required,
        label="Parent team",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="The parent team's short name, as in its link (e.g. platform); empty for the top level.",
        error_messages={"invalid_choice": "No team has this short name; check the parent's link."},
    )


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120)
    slug = forms.SlugField(
        max_length=60,
        required=False,
        label="Short name",
        help_text="Used in links; from the name if empty.",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, teams: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = _parent_field(teams, organisation_id)
        self.order_fields(["name", "parent", "slug", "description"])


class TeamEditForm(forms.Form):
    name = forms.CharField(max_length=120)
    slug = forms.SlugField(max_length=60, label="Short name")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    is_bubble_root = forms.BooleanField(
        required=False,
        label="Bubble root",
        help_text="This team sets its own direction for the teams below it.",
    )
    strategy_statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Bubble strategy"
    )


class TeamMoveForm(forms.Form):
    def __init__(self, *args: Any, teams: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = _parent_field(teams, organisation_id)


class TeamMemberForm(forms.Form):
    email = forms.EmailField(label="Person's e-mail")
    role = forms.ChoiceField(choices=TeamRole.choices, initial=TeamRole.MEMBER)


class DateInput(forms.DateInput):
    """A browser date picker: its value must be ISO whatever the language's format."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class CycleForm(forms.Form):
    name = forms.CharField(max_length=60)
    kind = forms.ChoiceField(choices=CycleKind.choices, initial=CycleKind.QUARTER)
    start_date = forms.DateField(widget=DateInput)
    end_date = forms.DateField(widget=DateInput)
    status = forms.ChoiceField(choices=CycleStatus.choices, initial=CycleStatus.PLANNING)

    def __init__(self, *args: Any, cycles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = forms.ModelChoiceField(
            queryset=cycles, required=False, empty_label="(none)", label="Inside cycle"
        )


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)


class ThemeForm(forms.Form):
    title = forms.CharField(max_length=160)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, bubble_roots: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"] = forms.ModelChoiceField(
            queryset=bubble_roots,
            required=False,
            empty_label="The organisation",
            label="Theme of",
        )


def errors_only() -> forms.Form:
    """A bound, empty form that collects a service's errors for actions without fields."""
    form = forms.Form(data={})
    form.is_valid()
    return form


# --- goals: objectives, key results, initiatives, alignment links, check-ins ----------

KIND_HELP = {
    KeyResult.Kind.INCREASE: "A number that should go up from where it starts to a target, e.g. weekly active shippers from 1,200 to 2,000.",
    KeyResult.Kind.DECREASE: "A number that should go down to a target, e.g. incidents a month from 12 to 4.",
    KeyResult.Kind.MILESTONE: "Done or not done, e.g. 'the EU warehouse is certified'. Prefer a number when the change can be measured.",
    KeyResult.Kind.MAINTAIN: "A level to hold while the team works on other things, e.g. uptime stays at or above 99.9 %.",
}

Choices = list[tuple[Any, Any]]


class ObjectiveForm(forms.Form):
    """An objective's own fields. `owner` is one select of teams and people whose
    values read `team:<id>` or `user:<id>`; `version` guards edits."""

    title = forms.CharField(
        max_length=200, help_text="The change you want, in plain words: an outcome, not a task."
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Why it matters now.",
    )
    cycle_id = forms.TypedChoiceField(coerce=int, label="Cycle")
    owner = forms.ChoiceField(label="Owner", help_text="A team, or one person.")
    status = forms.ChoiceField(
        choices=ObjectiveStatus.choices,
        initial=ObjectiveStatus.ACTIVE,
        help_text="Drafts are not due for check-ins yet.",
    )
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.PUBLIC)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, cycles: Choices, teams: Choices, people: Choices, **kwargs: Any
    ) -> None:
        with_version = kwargs.pop("with_version", False)
        super().__init__(*args, **kwargs)
        self.fields["cycle_id"].choices = cycles  # type: ignore[attr-defined]
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            ("", "Choose a team or a person"),
            ("Teams", [(f"team:{pk}", name) for pk, name in teams]),
            ("People", [(f"user:{pk}", name) for pk, name in people]),
        ]
        if not with_version:
            del self.fields["version"]

    def service_data(self) -> dict[str, Any]:
        data = {
            name: self.cleaned_data[name]
            for name in ("title", "description", "cycle_id", "status", "visibility")
        }
        kind, _, pk = self.cleaned_data["owner"].partition(":")
        data["owner_team_id"] = int(pk) if kind == "team" else None
        data["owner_user_id"] = int(pk) if kind == "user" else None
        return data


OBJECTIVE_ERROR_FIELDS = {"owner_team_id": "owner", "owner_user_id": "owner"}


# A service error on one point of a plan: `plan.2.on`, `plan.2.value` or `plan.2`.
PLAN_POINT = re.compile(r"plan\.(\d+)(?:\.\w+)?")
# A line of planned values: the date, then a space, comma or semicolon, then the value.
PLAN_LINE = re.compile(r"(\S+?)[\s,;]+(.*)")


def plan_as_text(plan: Any) -> str:
    """A stored plan as the form's text: one "YYYY-MM-DD value" per line."""
    from headway.insights.selectors import plan_points

    return "\n".join(f"{on.isoformat()} {value:.15g}" for on, value in plan_points(plan))


class KeyResultForm(forms.Form):
    """A key result's definition; its value changes only through check-ins.

    The planned values are typed one "YYYY-MM-DD value" per line; the form only splits
    the lines, the service checks the dates and numbers, and its errors on a point
    (`plan.2.on`) come back next to the text area naming the line. `target_reason`
    appears when editing a key result that has check-ins: a new target then needs it.
    """

    title = forms.CharField(
        max_length=200, help_text="What will be measured, e.g. 'Deploys a week'."
    )
    kind = forms.ChoiceField(
        choices=KeyResult.Kind.choices, initial=KeyResult.Kind.INCREASE, widget=forms.RadioSelect
    )
    start_value = forms.FloatField(
        required=False, label="Start", help_text="Where the measure stands today."
    )
    target_value = forms.FloatField(
        required=False,
        label="Target",
        help_text="Where it should be at the end of the cycle; for 'maintain', the threshold.",
    )
    direction = forms.ChoiceField(
        choices=KeyResult.Direction.choices,
        initial=KeyResult.Direction.ABOVE,
        label="Threshold",
        help_text="For 'maintain' only.",
    )
    format = forms.ChoiceField(choices=KeyResult.Format.choices, initial=KeyResult.Format.NUMBER)
    unit = forms.CharField(max_length=20, required=False, help_text="e.g. %, EUR, $, tickets, ms.")
    weight = forms.FloatField(
        initial=1.0,
        help_text="How much it counts in the objective's progress next to the other key results.",
    )
    owner_id = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label="Owner")
    status = forms.ChoiceField(
        choices=KeyResultStatus.choices,
        initial=KeyResultStatus.ACTIVE,
        help_text="A dropped key result stops counting and takes no more check-ins.",
    )
    target_reason = forms.CharField(
        required=False,
        label="Reason for changing the target",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=(
            "This key result has check-ins, so a new target needs a reason; it is kept in "
            "the target's history. Leave it empty when the target stays."
        ),
    )
    plan = forms.CharField(
        required=False,
        strip=False,  # blank lines at the top count, so errors name the line the person sees
        label="Planned values",
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "2026-11-15 40\n2026-12-15 80"}),
        help_text=(
            "Leave empty for a steady pace from start to target. Otherwise one "
            "“YYYY-MM-DD value” per line, e.g. “2026-11-15 40”: the value you expect by that "
            "date, inside the cycle; the pace runs through these points. A milestone takes "
            "one line: its due date."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, people: Choices, **kwargs: Any) -> None:
        editing = kwargs.pop("editing", False)
        target_history = kwargs.pop("target_history", False)
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = [("", "(nobody named)"), *people]  # type: ignore[attr-defined]
        self.plan_lines: list[int] = []
        if not editing:
            del self.fields["status"], self.fields["version"]
        if not (editing and target_history):
            del self.fields["target_reason"]

    def is_blank(self) -> bool:
        """Nothing typed into this form: an unused row of the new-objective page."""
        typed = ("title", "start_value", "target_value", "unit", "plan")
        return not any(str(self.data.get(self.add_prefix(name)) or "").strip() for name in typed)

    def clean_plan(self) -> list[list[str]]:
        """The lines as [date, value] pairs of text, remembering each one's line number."""
        points, self.plan_lines = [], []
        for number, line in enumerate(str(self.cleaned_data["plan"]).splitlines(), start=1):
            if line.strip():
                point = PLAN_LINE.fullmatch(line.strip())
                points.append([point[1], point[2]] if point else [line.strip(), ""])
                self.plan_lines.append(number)
        return points

    def place_error(self, name: str, messages: list[str]) -> tuple[str, list[str]] | None:
        """A service error on a plan point goes next to the planned values, naming its line."""
        point = PLAN_POINT.fullmatch(name)
        if point is None:
            return None
        index = int(point[1])
        line = self.plan_lines[index] if index < len(self.plan_lines) else index + 1
        return "plan", [f"Line {line}: {message}" for message in messages]

    def kinds(self) -> list[tuple[Any, str]]:
        """The kind's radio buttons, each with the sentence that explains it."""
        return [(radio, KIND_HELP[radio.data["value"]]) for radio in self["kind"]]

    def service_data(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class InitiativeForm(forms.Form):
    title = forms.CharField(
        max_length=200, help_text="The work you will do, e.g. 'Automate the release checklist'."
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    status = forms.ChoiceField(choices=Initiative.Status.choices, initial=Initiative.Status.PLANNED)
    owner_id = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label="Owner")
    key_result_ids = forms.TypedMultipleChoiceField(
        coerce=int,
        label="Key results it should move",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Initiatives are outputs: they never count in progress themselves.",
    )

    def __init__(self, *args: Any, people: Choices, key_results: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = [("", "(nobody named)"), *people]  # type: ignore[attr-defined]
        self.fields["key_result_ids"].choices = key_results  # type: ignore[attr-defined]


class AlignmentLinkForm(forms.Form):
    """One select of possible parents, grouped by type, valued `<type>:<id>`."""

    parent = forms.ChoiceField(label="Aligns to")
    kind = forms.ChoiceField(
        choices=LinkKind.choices, initial=LinkKind.CONTRIBUTES, widget=forms.RadioSelect
    )
    weight = forms.FloatField(
        initial=1.0,
        help_text="For 'contributes': how much this objective counts in the parent's progress.",
    )

    def __init__(self, *args: Any, parents: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "Choose a theme, objective or key result"), *parents]  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        parent_type, _, parent_id = self.cleaned_data["parent"].partition(":")
        return {
            "parent_type": parent_type,
            "parent_id": int(parent_id),
            "kind": self.cleaned_data["kind"],
            "weight": self.cleaned_data["weight"],
        }


ALIGNMENT_ERROR_FIELDS = {"parent_type": "parent", "parent_id": "parent"}


class CheckInForm(forms.Form):
    """One row of the weekly check-in screen. The service checks the value and the
    confidence, so the web and the API give the same messages."""

    key_result = forms.IntegerField(widget=forms.HiddenInput)
    value = forms.CharField(
        max_length=40, error_messages={"required": "Enter the key result's new value."}
    )
    confidence = forms.CharField(
        max_length=4, error_messages={"required": "Say how confident you are, as a number."}
    )
    note = forms.CharField(max_length=4000, required=False)
    idempotency_key = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)
