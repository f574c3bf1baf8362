"""The webhook form: it parses; headway.notify.webhooks checks the URL and saves."""

from __future__ import annotations

from typing import Any

from django import forms

from headway.notify.models import Webhook
from headway.notify.webhook_events import EVENTS
from headway.notify.webhooks import MAX_DESCRIPTION, MAX_URL


class WebhookForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=MAX_URL,
        help_text="Where Headway sends events, e.g. https://hooks.example.com/headway.",
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(
        max_length=MAX_DESCRIPTION,
        required=False,
        help_text="What receives them, e.g. “Data warehouse” or “Team dashboard”.",
    )
    events = forms.MultipleChoiceField(
        choices=[(name, f"{name}: {text}") for name, text in EVENTS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="None ticked: every event, including ones added later.",
    )
    allow_private = forms.BooleanField(
        label="Allow a private address",
        required=False,
        help_text=(
            "Only for a receiver inside your own network (10.x, 192.168.x, localhost …). "
            "Without it, production refuses such addresses."
        ),
    )

    @classmethod
    def of(cls, webhook: Webhook, data: Any = None) -> WebhookForm:
        initial = {
            "url": webhook.url,
            "description": webhook.description,
            "events": webhook.events,
            "allow_private": webhook.allow_private,
        }
        return cls(data, initial=initial)
