"""Forms of the notification settings: a person's preferences, a team's chat channels.

They parse; `notify.services` decides (and checks chat URLs with Apprise)."""

from __future__ import annotations

from django import forms

from headway.accounts.models import Weekday
from headway.notify.models import Channel
from headway.web.forms import DateInput


class PreferenceForm(forms.Form):
    channel = forms.ChoiceField(
        label="How to reach me",
        choices=Channel.choices,
        widget=forms.RadioSelect,
        help_text="Chat: nothing by e-mail; follow your teams' chat channels, which receive "
        "their digests and flags (reminders are personal and go by e-mail only).",
    )
    reminders = forms.BooleanField(
        required=False, label="Check-in reminders on the organisation's check-in day"
    )
    digest = forms.BooleanField(required=False, label="The weekly digest of the teams I lead")
    flags = forms.BooleanField(
        required=False,
        label="Flags on my key results and my teams' (stalled, watermelon, overdue)",
    )
    quiet_days = forms.TypedMultipleChoiceField(
        label="Quiet days",
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Nothing is sent on these days: a reminder or digest moves to your next "
        "day of that week that is not quiet, flags wait for it.",
    )
    away_until = forms.DateField(
        label="Away until",
        required=False,
        widget=DateInput,
        help_text="A holiday: no reminders or digests through this day; flags wait until "
        "you are back.",
    )


class ChatChannelForm(forms.Form):
    name = forms.CharField(label="Name", max_length=80, help_text="e.g. #platform-team")
    url = forms.CharField(
        label="Chat URL",
        max_length=2000,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="The incoming-webhook URL your chat service gave you, or its Apprise form: "
        "slack://…, workflows://… (Microsoft Teams), discord://…, mmost://…, matrixs://…, "
        "jsons://… It holds a secret: it is shown masked once saved.",
    )
    digest = forms.BooleanField(required=False, initial=True, label="Weekly digest")
    flags = forms.BooleanField(required=False, initial=True, label="Flags")
