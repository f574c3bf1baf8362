"""Forms for the web shell. They parse and present; the services decide and write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError

from headway.accounts.models import Organisation, Role
from headway.goals.models import CycleKind, CycleStatus
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
                form.add_error(field_of(field), messages)
        else:
            form.add_error(None, error.messages)
    except Conflict as error:
        form.add_error(field_of(error.field), error.message)
    except PermissionDenied as error:
        form.add_error(None, str(error) or "You are not allowed to do that.")
    return None


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
        fields = ["name", "strategy_statement", "timezone", "checkin_weekday", "confidence_scale"]
        widgets = {"strategy_statement": forms.Textarea(attrs={"rows": 4})}


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


def _parent_field(teams: Any, required: bool = False) -> TeamParentField:
    return TeamParentField(
        queryset=teams, required=required, empty_label="(top level)", label="Parent team"
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

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = _parent_field(teams)
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
    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = _parent_field(teams)


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
