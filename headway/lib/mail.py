"""E-mail goes out through the task queue, so a slow SMTP server never slows a page."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django_tasks import task


@task()
def email_send(to: list[str], subject: str, text: str, html: str = "") -> int:
    """Deliver one message with Django's e-mail backend; the worker retries nothing
    itself, a failed send shows as a failed task result."""
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()


def email_enqueue(to: list[str], template: str, context: dict[str, Any]) -> None:
    """Render `email/<template>_subject.txt`, `.txt` and `.html` and queue the message."""
    subject = " ".join(render_to_string(f"email/{template}_subject.txt", context).split())
    html = render_to_string(f"email/{template}.html", context)
    text = render_to_string(f"email/{template}.txt", context) or strip_tags(html)
    email_send.enqueue(to=to, subject=subject, text=text, html=html)
