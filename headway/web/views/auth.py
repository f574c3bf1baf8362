"""Login, the organisation switcher, the home redirect and accepting invitations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from headway.accounts import services
from headway.accounts.models import User
from headway.accounts.selectors import memberships_of
from headway.lib.errors import Conflict
from headway.web.forms import AcceptInvitationForm, EmailLoginForm, call_service, errors_only


class LoginPage(auth_views.LoginView):
    """Django's login by e-mail. On a fresh install nobody can log in yet, so the page
    says how the first account is made instead of leaving the first visitor stuck."""

    template_name = "accounts/login.html"
    authentication_form = EmailLoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context["first_run"] = not User.objects.exists()
        return context


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send people to their current organisation, or let them pick one."""
    memberships = list(memberships_of(request.user))  # type: ignore[arg-type]
    current = request.session.get("organisation")
    for membership in memberships:
        if membership.organisation.slug == current:
            return redirect("org-home", org=current)
    if len(memberships) == 1:
        return redirect("org-home", org=memberships[0].organisation.slug)
    return render(request, "accounts/switch.html", {"memberships": memberships})


@login_required
def switch(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/switch.html", {"memberships": memberships_of(request.user)})  # type: ignore[arg-type]


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open an invitation link: join as the logged-in person, or create an account."""
    try:
        invitation = services.invitation_find(token)
    except (ValidationError, Conflict) as error:
        message = error.message if isinstance(error, Conflict) else " ".join(error.messages)
        return render(request, "accounts/invitation_invalid.html", {"message": message}, status=410)
    user = request.user if request.user.is_authenticated else None
    posted = request.method == "POST"
    # A logged-in person joins with one button: their errors go on a form without fields.
    form = AcceptInvitationForm(request.POST if posted else None) if user is None else errors_only()
    wrong_person = user is not None and user.email.lower() != invitation.email.lower()
    if wrong_person:
        form.add_error(
            None,
            f"This invitation is for {invitation.email}; you are logged in as {user.email}. "  # type: ignore[union-attr]
            "Log out first, then open the link again.",
        )
    elif posted and (user is not None or form.is_valid()):
        fields = form.cleaned_data if user is None else {}
        membership = call_service(
            form,
            lambda: services.invitation_accept(
                token=token,
                user=user,
                name=fields.get("name", ""),
                password=fields.get("password"),
            ),
        )
        if membership is not None:
            if user is None:
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {membership.organisation}.")
            return redirect("org-home", org=membership.organisation.slug)
    existing = User.objects.filter(email__iexact=invitation.email).exists()
    # A POST that gets here was refused: the wrong person, or bad input.
    status = (403 if wrong_person else 422) if posted else 200
    return render(
        request,
        "accounts/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "wrong_person": wrong_person,
            "existing_account": existing and user is None,
            "login_url": f"{reverse('login')}?next={request.path}",
        },
        status=status,
    )
