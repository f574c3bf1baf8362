"""Every write to the team tree and team membership.

The tree stays acyclic: a move is checked against the team's descendants with one
recursive query before anything is saved.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from headway.accounts.models import Membership, User
from headway.accounts.services import require_admin
from headway.lib.errors import Conflict

from .models import Team, TeamMembership, TeamRole
from .selectors import team_get


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the team a name."})
    if len(name) > 120:
        raise ValidationError({"name": "Keep the name under 120 characters."})
    return name


def _free_slug(member: Membership, slug: str, exclude: Team | None = None) -> str:
    # A slug made from a long name must still fit Team.slug's 60 characters
    # (SQLite would store more; PostgreSQL refuses them).
    slug = slugify(slug)[:60].strip("-")
    if not slug:
        raise ValidationError({"slug": "Use letters or digits in the team's short name."})
    clash = Team.objects.filter(organisation_id=member.organisation_id, slug=slug)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise Conflict(f"Another team already uses the short name {slug!r}.", field="slug")
    return slug


def _parent(member: Membership, parent_id: int | None) -> Team | None:
    if parent_id is None:
        return None
    try:
        return team_get(member, parent_id)
    except Exception:
        raise ValidationError({"parent": "Choose a parent team of this organisation."}) from None


def team_create(
    *,
    member: Membership,
    name: str,
    parent_id: int | None = None,
    slug: str = "",
    description: str = "",
) -> Team:
    """Create a team under `parent_id` (or as a root). Admins only."""
    require_admin(member, "create teams")
    name = _clean_name(name)
    parent = _parent(member, parent_id)
    team = Team(
        organisation=member.organisation,
        parent=parent,
        name=name,
        slug=_free_slug(member, slug or name),
        description=description.strip(),
    )
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError:
        raise Conflict(
            f"Another team already uses the short name {team.slug!r}.", field="slug"
        ) from None
    return team


def team_update(
    *,
    member: Membership,
    team: Team,
    name: str | None = None,
    slug: str | None = None,
    description: str | None = None,
    is_bubble_root: bool | None = None,
    strategy_statement: str | None = None,
) -> Team:
    """Rename a team or change its details and bubble-root setting. Admins only."""
    require_admin(member, "change teams")
    if name is not None:
        team.name = _clean_name(name)
    if slug is not None:
        team.slug = _free_slug(member, slug, exclude=team)
    if description is not None:
        team.description = description.strip()
    if strategy_statement is not None:
        team.strategy_statement = strategy_statement.strip()
    if is_bubble_root is not None:
        team.is_bubble_root = is_bubble_root
    if team.is_bubble_root and not team.strategy_statement:
        raise ValidationError(
            {"strategy_statement": "A bubble root needs its own strategy statement."}
        )
    team.save()
    return team


def team_move(*, member: Membership, team: Team, parent_id: int | None) -> Team:
    """Move a team (and its subtree) under another parent, refusing loops."""
    require_admin(member, "move teams")
    with transaction.atomic():
        parent = _parent(member, parent_id)
        if parent is not None:
            loop = Team.objects.descendants(team, include_self=True).filter(pk=parent.pk).exists()
            if loop:
                raise ValidationError(
                    {"parent": f"{parent} is inside {team}: a team cannot move under itself."}
                )
        team.parent = parent
        team.save(update_fields=["parent"])
    return team


def team_delete(*, member: Membership, team: Team) -> None:
    """Delete an empty team. Teams with sub-teams or people must be emptied first."""
    require_admin(member, "delete teams")
    with transaction.atomic():
        if team.children.exists():
            raise Conflict(f"{team} has sub-teams: move or delete them first.")
        people = team.memberships.count()
        if people:
            raise Conflict(
                f"{team} still has {people} member{'s' if people != 1 else ''}: "
                "move or remove them first."
            )
        team.delete()


def team_member_add(
    *, member: Membership, team: Team, user: User, role: str = TeamRole.MEMBER
) -> TeamMembership:
    """Put a person of the organisation into a team, or change their role there."""
    require_admin(member, "change team membership")
    if role not in TeamRole.values:
        raise ValidationError({"role": "Team role must be lead or member."})
    if not Membership.objects.filter(organisation_id=member.organisation_id, user=user).exists():
        raise ValidationError({"user": f"{user.email} is not a member of this organisation."})
    membership, _ = TeamMembership.objects.update_or_create(
        team=team, user=user, defaults={"role": role, "organisation_id": team.organisation_id}
    )
    return membership


def team_member_remove(*, member: Membership, team: Team, user: User) -> None:
    require_admin(member, "change team membership")
    TeamMembership.objects.filter(team=team, user=user).delete()
