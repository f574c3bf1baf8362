"""Team chat through Apprise: one URL names the service and carries its secret
(Slack, Microsoft Teams, Discord, Matrix, Mattermost, a generic JSON webhook …).

A chat URL is a credential: it is checked when saved, shown masked, never logged, and
only this module hands it to Apprise. Sends run in the worker with short timeouts.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from headway.lib.addresses import not_public, resolve

if TYPE_CHECKING:
    import apprise

EXAMPLES = (
    "slack://TokenA/TokenB/TokenC/#channel",
    "workflows://host/workflow/signature (Microsoft Teams)",
    "discord://webhook_id/webhook_token",
    "mmost://mattermost.example.com/token",
    "matrixs://user:password@matrix.example.com/#room",
    "jsons://hooks.example.com/path (a generic JSON webhook)",
)
MAX_URL = 2000


class ChatError(Exception):
    """The chat service did not take the message; the text names no secret."""


def _apprise() -> ModuleType:
    """Apprise costs a web worker about 17 MB: loaded when a chat URL is first used."""
    import apprise

    return apprise


def _plugin(url: str) -> apprise.plugins.NotifyBase | None:
    plugin: apprise.plugins.NotifyBase | None = _apprise().Apprise.instantiate(
        url.strip(), suppress_exceptions=True
    )
    return plugin


def chat_url_check(url: str) -> str:
    """The URL, stripped, if Apprise knows its service and it may be used here; else a
    ValidationError that lists working examples."""
    url = url.strip()
    if not url:
        raise ValidationError({"url": "Enter the chat service's URL."})
    if len(url) > MAX_URL:
        raise ValidationError({"url": f"That URL is too long (at most {MAX_URL} characters)."})
    plugin = _plugin(url)
    if plugin is None:
        raise ValidationError(
            {
                "url": "Headway does not recognise that chat URL. Paste the webhook URL your "
                "chat service gave you (Slack, Discord and Teams ones work as they are), or "
                "its Apprise form, e.g. " + "; ".join(EXAMPLES) + "."
            }
        )
    host = getattr(plugin, "host", None)
    if host and not settings.NOTIFY_CHAT_ALLOW_PRIVATE and _is_private(str(host)):
        raise ValidationError(
            {
                "url": f"{host} is a private or loopback address, which this server does not "
                "send to. An operator can allow it with HEADWAY_CHAT_ALLOW_PRIVATE=true."
            }
        )
    return url


def _is_private(host: str) -> bool:
    """A host that is, or resolves to, an address off the public internet (a name that
    does not resolve now is left to fail when sending)."""
    try:
        return any(not_public(address) for address in resolve(host))
    except (OSError, UnicodeError, ValueError):
        return host.lower() == "localhost"


def chat_service(url: str) -> str:
    """The service's name, e.g. "Slack" or "JSON"; "" for an unknown URL."""
    plugin = _plugin(url)
    return str(plugin.service_name) if plugin is not None else ""


_LONG_SEGMENT = re.compile(r"(?<=/)([^/?#]{2})[^/?#]{5,}([^/?#]{2})(?=[/?#]|$)")


def chat_url_masked(url: str) -> str:
    """The URL as people may see it: scheme and host, every secret-looking part cut.

    Apprise's own private form hides tokens and passwords; path segments it leaves
    (a generic webhook's path often is the secret) are cut to their ends as well.
    """
    plugin = _plugin(url)
    if plugin is None:
        scheme = urlsplit(url.strip()).scheme or "?"
        return f"{scheme}://…"
    private = str(plugin.url(privacy=True)).split("?", 1)[0]  # type: ignore[no-untyped-call]
    scheme, _, rest = private.partition("://")
    host, slash, path = rest.partition("/")
    host = host.rsplit("@", 1)[-1] if "@" in host else host
    user = "…@" if "@" in rest.split("/", 1)[0] else ""
    path = _LONG_SEGMENT.sub(r"\1…\2", unquote(path))
    return f"{scheme}://{user}{host}{slash}{path}"


def chat_send(url: str, title: str, body: str) -> None:
    """Post one message (Markdown) to one chat URL, or raise ChatError saying why."""
    plugin = _plugin(url)
    if plugin is None:
        raise ChatError("The chat URL is no longer recognised; edit or delete this channel.")
    apprise = _apprise()
    timeout = float(settings.NOTIFY_CHAT_TIMEOUT)
    plugin.socket_connect_timeout = timeout
    plugin.socket_read_timeout = timeout
    sender = apprise.Apprise()
    sender.add(plugin)
    # Apprise logs why a send failed; capture it (the messages name the service and
    # its host, never the URL's tokens) instead of letting it reach the server log.
    capture = apprise.LogCapture(level=apprise.logging.WARNING, fmt="%(message)s")
    with capture as log:
        sent = sender.notify(title=title, body=body, body_format=apprise.NotifyFormat.MARKDOWN)
        said = log.getvalue().strip()
    if not sent:
        last = said.splitlines()[-1] if said else "the service did not accept the message."
        raise ChatError(f"{plugin.service_name}: {last}"[:500])
