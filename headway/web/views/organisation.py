"""Organisation overview and settings, people and invitations, personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from headway.accounts import selectors, services
from headway.lib.htmx import render_page
from headway.web.decorators import member_view
from headway.web.forms import (
    InvitationForm,
    OrganisationForm,
    RoleForm,
    TokenForm,
    call_service,
    errors_only,
)


@member_view(admin=True)
def org_settings(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    form = OrganisationForm(request.POST or None, instance=member.organisation)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if call_service(form, lambda: services.organisation_update(member=member, **changes)):
            messages.success(request, "Settings saved.")
            return redirect("org-settings", org=member.organisation.slug)
    status = 422 if request.method == "POST" else 200
    return render_page(request, "organisation/settings.html", {"form": form}, status=status)


PEOPLE_PER_PAGE = 50


def _people_context(
    request: HttpRequest, invite_form: InvitationForm | None = None
) -> dict[str, object]:
    member = request.member  # type: ignore[attr-defined]
    query = request.GET.get("q", "").strip()[:100]
    members = selectors.members_list(member)
    if query:
        members = members.filter(Q(user__name__icontains=query) | Q(user__email__icontains=query))
    # A page of people, never the whole organisation: pages cost what they show.
    page = Paginator(members, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "members": page.object_list,
        "page": page,
        "query": query,
        "invitations": selectors.invitations_list(member).filter(accepted_at=None, revoked_at=None),
        "invite_form": invite_form or InvitationForm(),
        "roles": RoleForm.base_fields["role"].choices,  # type: ignore[attr-defined]
    }


@member_view()
def people(request: HttpRequest) -> HttpResponse:
    return render_page(request, "organisation/people.html", _people_context(request))


@member_view(admin=True)
@require_POST
def invitation_create(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    form = InvitationForm(request.POST)
    if form.is_valid():
        created = call_service(
            form,
            lambda: services.invitation_create(
                member=member, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
            ),
        )
        if created is not None:
            invitation, token = created
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. Link: {services.invitation_url(token)}",
            )
            return redirect("people", org=member.organisation.slug)
    return render_page(
        request, "organisation/people.html", _people_context(request, form), status=422
    )


@member_view(admin=True)
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    invitation = selectors.invitation_get(member, invitation_id)
    services.invitation_revoke(member=member, invitation=invitation)
    messages.success(request, f"Invitation for {invitation.email} withdrawn.")
    return redirect("people", org=member.organisation.slug)


@member_view(admin=True)
@require_POST
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Change a role; HTMX swaps just the member's row."""
    member = request.member  # type: ignore[attr-defined]
    target = selectors.member_get(member, membership_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        call_service(
            form,
            lambda: services.membership_set_role(
                member=member, membership=target, role=form.cleaned_data["role"]
            ),
        )
    target.refresh_from_db()
    context = _people_context(request)
    context.update(
        {
            "row": target,
            "error_row": target.pk,
            "row_errors": form.non_field_errors() or form.errors.get("role"),
        }
    )
    if not request.htmx and not form.errors:  # type: ignore[attr-defined]
        messages.success(request, f"{target.user} is now {target.get_role_display()}.")
        return redirect("people", org=member.organisation.slug)
    status = 200 if not form.errors or request.htmx else 422  # type: ignore[attr-defined]
    return render_page(
        request, "organisation/people.html", context, partial="member-row", status=status
    )


@member_view(admin=True)
@require_POST
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    target = selectors.member_get(member, membership_id)
    form = errors_only()
    call_service(form, lambda: services.membership_remove(member=member, membership=target))
    if form.errors:
        messages.error(request, " ".join(form.non_field_errors()))
    else:
        messages.success(request, f"{target.user} was removed from {member.organisation}.")
    return redirect("people", org=member.organisation.slug)


@member_view()
def tokens(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        created = call_service(
            form, lambda: services.api_token_create(member=member, name=form.cleaned_data["name"])
        )
        if created is not None:
            # Shown on this response only, never stored: no redirect after this POST.
            new_token = created[1]
            form = TokenForm()
    return render_page(
        request,
        "organisation/tokens.html",
        {
            "tokens": selectors.api_tokens_list(member),
            "form": form,
            "new_token": new_token,
        },
        status=422 if form.errors else 200,
    )


@member_view()
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    token = selectors.api_token_get(member, token_id)
    services.api_token_revoke(user=member.user, token=token)
    messages.success(request, f"Token {token.name} revoked.")
    return redirect("tokens", org=member.organisation.slug)
