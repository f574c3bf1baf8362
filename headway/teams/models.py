"""The team tree of an organisation, team membership and bubble roots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from tree_queries.models import TreeNode

from headway.accounts.models import Organisation


class Team(TreeNode):
    """A unit of the organisation: the root, a department, a team, a squad.

    The tree is stored as parent links and read with one recursive query
    (django-tree-queries), so depth costs nothing in Python. A team marked as a
    bubble root carries its own strategy statement and themes for the part of the
    organisation below it, when the level above sets no direction.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60)
    description = models.TextField(blank=True)
    is_bubble_root = models.BooleanField(
        default=False, help_text="This team sets its own direction for the teams below it."
    )
    strategy_statement = models.TextField(
        blank=True, help_text="The bubble's own strategy, used when it is a bubble root."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="team_slug_unique_in_org")
        ]

    def __str__(self) -> str:
        return self.name


class TeamRole(models.TextChoices):
    LEAD = "lead", "Lead"
    MEMBER = "member", "Member"


class TeamMembership(models.Model):
    """A person in a team, as its lead or a member. A person may be in several teams."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER)

    class Meta:
        ordering = ["team", "-role", "user__name"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_team_membership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"
