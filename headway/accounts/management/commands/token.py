from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from headway.accounts.models import ApiToken, Membership
from headway.accounts.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = (
        "Manage personal API tokens. `token create --email E --org SLUG [--name N]` prints a new "
        "token once (only its hash is kept); `token list --email E` shows a person's tokens; "
        "`token revoke --email E --prefix P` revokes one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("--email", required=True)
        parser.add_argument("--org", help="Organisation slug (create).")
        parser.add_argument("--name", default="command line", help="What the token is for.")
        parser.add_argument("--prefix", help="The token's first characters, as listed (revoke).")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        if not options["org"]:
            raise CommandError(
                "token create needs --org SLUG: a token belongs to one organisation."
            )
        member = (
            Membership.objects.select_related("organisation", "user")
            .filter(user__email__iexact=options["email"], organisation__slug=options["org"])
            .first()
        )
        if member is None:
            raise CommandError(
                f"{options['email']} is not a member of an organisation {options['org']!r}."
            )
        _, raw = api_token_create(member=member, name=options["name"])
        self.stdout.write(raw)

    def _tokens(self, options: dict[str, Any]) -> Any:
        return ApiToken.objects.select_related("organisation", "user").filter(
            user__email__iexact=options["email"]
        )

    def _list(self, options: dict[str, Any]) -> None:
        for token in self._tokens(options):
            state = "revoked" if token.revoked_at else f"last used {token.last_used_at or 'never'}"
            self.stdout.write(
                f"{token.prefix}…  {token.organisation.slug}  {token.name}  ({state})"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        found = list(self._tokens(options).filter(prefix__startswith=options["prefix"] or "-"))
        if len(found) != 1:
            raise CommandError("Give --prefix matching exactly one token (see `token list`).")
        api_token_revoke(user=found[0].user, token=found[0])
        self.stdout.write(f"Revoked {found[0].prefix}….")
