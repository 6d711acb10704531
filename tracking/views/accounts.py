from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import security, services
from ..forms import (
    InvitationAcceptForm,
)
from ..invitations import invitation_by_link

# --- Accounts ----------------------------------------------------------------------------


class ThrottledLoginView(auth_views.LoginView):
    """Sign-in, counted before the password is checked (tracking/security.py)."""

    def post(self, request, *args, **kwargs):
        self.attempt = security.login_attempt_start(
            client=security.Client.of(request), email=request.POST.get("username", "")
        )
        if not self.attempt.allowed:
            # An unbound form: a bound one would check the password to show its errors.
            form = self.form_class(request, initial={"username": request.POST.get("username", "")[:254]})
            context = self.get_context_data(form=form, refusal=self.attempt.refusal)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        security.login_failed(attempt=self.attempt)
        return super().form_invalid(form)

    def form_valid(self, form):
        user = form.get_user()
        security.login_succeeded(attempt=self.attempt, user=user)
        services.user_language_set(user=user, language=self.request.LANGUAGE_CODE)
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; every other session of the user ends, the audit notes it."""

    def form_valid(self, form):
        response = super().form_valid(form)  # saves, and keeps this session signed in
        security.password_changed(
            user=form.user,
            client=security.Client.of(self.request),
            current_session_key=self.request.session.session_key,
        )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by e-mail, throttled per address and per e-mail typed. Known and
    unknown addresses get the same answer; the link points at SITE_URL, not the Host header."""

    email_template_name = "registration/password_reset_email.txt"
    token_generator = security.password_reset_tokens

    def form_valid(self, form):
        if not security.password_reset_allowed(
            client=security.Client.of(self.request), email=form.cleaned_data["email"]
        ):
            form.add_error(None, security.password_reset_refusal())
            return self.render_to_response(self.get_context_data(form=form), status=429)
        site = urlsplit(settings.SITE_URL)
        self.extra_email_context = {"site_url": settings.SITE_URL}
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context=self.extra_email_context,
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's new-password form from the e-mailed link: all sessions end, a lock is lifted."""

    token_generator = security.password_reset_tokens

    def form_valid(self, form):
        response = super().form_valid(form)
        security.password_was_reset(user=form.user, client=security.Client.of(self.request))
        return response


@require_GET
def account_activity(request):
    """The signed-in user's own sign-in audit: the last 50 events, newest first."""
    events = security.sign_in_events_recent(user=request.user)
    return render(request, "tracking/account_activity.html", {"events": events})


@login_not_required
@require_POST
def language_set(request):
    """Switch the interface language (kept in a cookie, and on the user for e-mails)."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
        )
        services.user_language_set(user=request.user, language=language)
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, uidb64: str, token: str):
    """The e-mailed link of a new account: choose a password, join that one business."""
    invitation = invitation_by_link(uidb64, token)
    if invitation is None:
        return render(request, "tracking/invitation_invalid.html", status=404)
    user = invitation.user
    form = InvitationAcceptForm(user, request.POST or None, initial={"full_name": user.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                membership=invitation,
                password=form.cleaned_data["new_password1"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError:
            return render(request, "tracking/invitation_invalid.html", status=404)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("tracking:portfolio")
    return render(request, "tracking/invitation_accept.html", {"form": form, "invitation": invitation})


@login_not_required
@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
