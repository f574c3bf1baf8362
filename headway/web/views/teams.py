"""The team tree: browse, create, rename, move, mark as bubble root, members, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from headway.accounts.models import User
from headway.accounts.selectors import members_list
from headway.lib.htmx import render_page
from headway.teams import selectors, services
from headway.teams.models import Team
from headway.teams.selectors import team_ancestors, team_get_by_slug, team_members, teams_tree
from headway.web.decorators import member_view
from headway.web.forms import (
    TeamEditForm,
    TeamForm,
    TeamMemberForm,
    TeamMoveForm,
    call_service,
    errors_only,
)
from headway.web.views.goals import team_goals_context

# The tree page opens this many levels below the roots; deeper levels load on demand,
# so the page costs what it shows however many teams the organisation has.
TREE_OPEN_DEPTH = 2


def _initial_parent(member: Any, wanted: str | None) -> Team | None:
    if not wanted or not wanted.isdigit():
        return None
    return Team.objects.filter(organisation_id=member.organisation_id, pk=int(wanted)).first()


@member_view(admin_posts=True)
def team_tree(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    teams = teams_tree(member)
    form = TeamForm(
        request.POST or None,
        teams=teams,
        organisation_id=member.organisation_id,
        initial={"parent": _initial_parent(member, request.GET.get("parent"))},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            parent = form.cleaned_data["parent"]
            team = call_service(
                form,
                lambda: services.team_create(
                    member=member,
                    name=form.cleaned_data["name"],
                    slug=form.cleaned_data["slug"],
                    description=form.cleaned_data["description"],
                    parent_id=parent.pk if parent else None,
                ),
            )
            if team is not None:
                messages.success(request, f"Team {team} created.")
                return redirect("team-tree", org=member.organisation.slug)
        status = 422
    context = {"teams": selectors.teams_top(member, TREE_OPEN_DEPTH), "form": form}
    return render_page(request, "teams/tree.html", context, status=status)


@member_view()
def team_children(request: HttpRequest, slug: str) -> HttpResponse:
    """The sub-teams of one team, as a branch of the tree (HTMX) or a page."""
    member = request.member  # type: ignore[attr-defined]
    team = team_get_by_slug(member, slug)
    context = {"parent": team, "teams": selectors.team_children(member, team)}
    return render_page(request, "teams/children.html", context, partial="branch")


def _team_context(
    member: Any, team: Any, wanted_cycle: str | None = None, **forms: Any
) -> dict[str, Any]:
    teams = teams_tree(member)
    context = {
        "team": team,
        "ancestors": team_ancestors(team),
        "children": team.children.order_by("name"),
        "team_members": team_members(team),
        "edit_form": TeamEditForm(
            initial={
                "name": team.name,
                "slug": team.slug,
                "description": team.description,
                "is_bubble_root": team.is_bubble_root,
                "strategy_statement": team.strategy_statement,
            }
        ),
        "move_form": TeamMoveForm(
            teams=teams, organisation_id=member.organisation_id, initial={"parent": team.parent}
        ),
        "member_form": TeamMemberForm(),
        **team_goals_context(member, team, wanted_cycle),
    }
    context.update(forms)
    return context


@member_view()
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    team = team_get_by_slug(member, slug)
    context = _team_context(member, team, request.GET.get("cycle"))
    return render_page(request, "teams/detail.html", context, partial="team-objectives")


@member_view(admin=True)
@require_POST
def team_edit(request: HttpRequest, slug: str) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    team = team_get_by_slug(member, slug)
    form = TeamEditForm(request.POST)
    if form.is_valid():
        updated = call_service(
            form, lambda: services.team_update(member=member, team=team, **form.cleaned_data)
        )
        if updated is not None:
            messages.success(request, f"Team {updated} saved.")
            return redirect("team-detail", org=member.organisation.slug, slug=updated.slug)
    team.refresh_from_db()
    return render_page(
        request, "teams/detail.html", _team_context(member, team, edit_form=form), status=422
    )


@member_view(admin=True)
@require_POST
def team_move(request: HttpRequest, slug: str) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    team = team_get_by_slug(member, slug)
    form = TeamMoveForm(
        request.POST, teams=teams_tree(member), organisation_id=member.organisation_id
    )
    if form.is_valid():
        parent = form.cleaned_data["parent"]
        moved = call_service(
            form,
            lambda: services.team_move(
                member=member, team=team, parent_id=parent.pk if parent else None
            ),
        )
        if moved is not None:
            messages.success(request, f"{team} moved under {parent or 'the top level'}.")
            return redirect("team-detail", org=member.organisation.slug, slug=team.slug)
    team.refresh_from_db()
    return render_page(
        request, "teams/detail.html", _team_context(member, team, move_form=form), status=422
    )


@member_view(admin=True)
@require_POST
def team_member_add(request: HttpRequest, slug: str) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    team = team_get_by_slug(member, slug)
    form = TeamMemberForm(request.POST)
    if form.is_valid():
        # Look among this organisation's people only, so that the answer says nothing
        # about accounts in other organisations.
        found = members_list(member).filter(user__email__iexact=form.cleaned_data["email"]).first()
        user = found.user if found else None
        if user is None:
            form.add_error(
                "email", "Nobody with this e-mail is in the organisation; invite them first."
            )
        elif (
            call_service(
                form,
                lambda: services.team_member_add(
                    member=member, team=team, user=user, role=form.cleaned_data["role"]
                ),
                fields={"user": "email"},
            )
            is not None
        ):
            messages.success(request, f"{user} is now in {team}.")
            return redirect("team-detail", org=member.organisation.slug, slug=team.slug)
    context = _team_context(member, team, member_form=form)
    return render_page(request, "teams/detail.html", context, partial="team-members", status=422)


@member_view(admin=True)
@require_POST
def team_member_remove(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    team = team_get_by_slug(member, slug)
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        services.team_member_remove(member=member, team=team, user=user)
    context = _team_context(member, team)
    if request.htmx:  # type: ignore[attr-defined]
        return render_page(request, "teams/detail.html", context, partial="team-members")
    return redirect("team-detail", org=member.organisation.slug, slug=team.slug)


@member_view(admin=True)
def team_delete(request: HttpRequest, slug: str) -> HttpResponse:
    """GET asks for confirmation; POST deletes an empty team."""
    member = request.member  # type: ignore[attr-defined]
    team = team_get_by_slug(member, slug)
    form = errors_only()
    if request.method == "POST":
        call_service(form, lambda: services.team_delete(member=member, team=team))
        if not form.errors:
            messages.success(request, f"Team {team} deleted.")
            return redirect("team-tree", org=member.organisation.slug)
    status = 409 if form.errors else 200
    return render_page(
        request,
        "teams/delete.html",
        {"team": team, "errors": form.non_field_errors()},
        status=status,
    )
