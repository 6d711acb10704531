from functools import partial
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import check_for_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import security, services, two_factor
from .forms import PasswordResetForm

# --- Accounts ----------------------------------------------------------------------------


class ThrottledLoginView(auth_views.LoginView):
    """Sign-in, counted before the password is checked (security.py)."""

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
        if two_factor.two_factor_enabled(user=user):
            # A right password is not enough: the code comes next (login_two_factor).
            two_factor.sign_in_pending_start(
                session=self.request.session, user=user, backend=user.backend, attempt=self.attempt
            )
            return HttpResponseRedirect(_with_next(reverse("login_two_factor"), self.get_redirect_url()))
        security.login_succeeded(attempt=self.attempt, user=user)
        return in_their_language(super().form_valid(form), self.request, user)


def _set_language_cookie(response, request, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
    )


def in_their_language(response, request, user):
    """After signing in, the interface speaks the person's saved language, whatever the browser
    asks for: only the language switch changes it (and with it their e-mails)."""
    if user.language in dict(settings.LANGUAGES):
        _set_language_cookie(response, request, user.language)
    return response


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _safe_next(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return next_url
    return ""


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        help_text=gettext_lazy("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "off", "size": 12}
        ),
    )


class TwoFactorSetupCodeForm(TwoFactorCodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("The 6-digit code your authenticator app shows now.")


def _wrong_code() -> str:
    return _("That code is not right. Use the current code from your app, or an unused recovery code.")


def _two_factor_pending(request):
    """(user, backend) waiting for a second factor: a sign-in in progress, or a signed-in user
    whose session has not passed it (the admin sends staff with 2FA on here); else None."""
    pending = two_factor.sign_in_pending(session=request.session)
    if (
        pending is None
        and two_factor.two_factor_enabled(user=request.user)
        and not two_factor.session_passed(request.session)
    ):
        pending = (request.user, request.session[BACKEND_SESSION_KEY])
    return pending


def _two_factor_done(request, user, backend, check, next_url):
    login(request, user, backend=backend)
    two_factor.session_mark_passed(session=request.session)
    if check.recovery_code_used:
        left = len(two_factor.recovery_codes_unused(user=user))
        text = ngettext(
            "You used a recovery code; %(count)d is left. Make new ones on the two-factor page.",
            "You used a recovery code; %(count)d are left. Make new ones on the two-factor page.",
            left,
        )
        messages.warning(request, text % {"count": left})
    return in_their_language(HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL)), request, user)


@login_not_required
@require_http_methods(["GET", "POST"])
def login_two_factor(request):
    """The second step of sign-in: a code from the app or a recovery code, counted by the
    sign-in throttle."""
    next_url = _safe_next(request)
    was_pending = two_factor.PENDING_KEY in request.session
    pending = _two_factor_pending(request)
    if pending is None:
        if request.user.is_authenticated:
            return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
        if was_pending:
            messages.info(request, _("Sign in again: the time for the code ran out."))
        return redirect(_with_next(reverse("login"), next_url))
    user, backend = pending
    form = TwoFactorCodeForm(request.POST or None)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        client, code = security.Client.of(request), form.cleaned_data["code"]
        check = two_factor.code_check(client=client, user=user, code=code, signing_in=True)
        if check.ok:
            return _two_factor_done(request, user, backend, check, next_url)
        refusal = check.refusal
        if not refusal:
            form.add_error("code", _wrong_code())
    context = {"form": form, "refusal": refusal, "next": next_url}
    return render(request, "registration/login_two_factor.html", context, status=429 if refusal else 200)


def _two_factor_page(request, *, status: int = 200, **context):
    """The account's two-factor page: setting up when off, codes and switching off when on."""
    user = request.user
    if two_factor.two_factor_enabled(user=user):
        unused = two_factor.recovery_codes_unused(user=user)
        context = {
            "enabled": True,
            "recovery_codes": unused if two_factor.recovery_codes_to_show(session=request.session) else None,
            "recovery_codes_left": len(unused),
            "disable_form": TwoFactorCodeForm(prefix="disable"),
            "regenerate_form": TwoFactorCodeForm(prefix="regenerate"),
            **context,
        }
    else:
        secret = two_factor.setup_secret(session=request.session)
        uri = two_factor.totp_uri(user=user, secret=secret)
        context = {
            "enabled": False,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "uri": uri,
            "qr_svg": mark_safe(two_factor.qr_svg(text=uri)),  # our own SVG: one path, no text from users
            "form": TwoFactorSetupCodeForm(),
            **context,
        }
    return render(request, "tracking/account_two_factor.html", context, status=status)


@require_GET
def two_factor_page(request):
    return _two_factor_page(request)


@require_POST
def two_factor_enable(request):
    """Confirm the secret being set up with a first code: 2FA is on, recovery codes shown once."""
    user = request.user
    if two_factor.two_factor_enabled(user=user):
        return redirect("two_factor")
    secret = two_factor.setup_secret(session=request.session)
    client = security.Client.of(request)
    form = TwoFactorSetupCodeForm(request.POST)
    check = partial(two_factor.setup_code_check, client=client, user=user, secret=secret)
    if refused := _code_refused(request, form, "form", check):
        return refused
    return _two_factor_write(
        request,
        partial(two_factor.two_factor_enable, user=user, secret=secret, session_key=request.session.session_key),
        then=partial(two_factor.setup_done, session=request.session),
        success=_("Two-factor sign-in is on. Keep your recovery codes somewhere safe."),
    )


def _two_factor_write(request, write, *, then, success: str):
    """Run a two-factor service (`write`), then `then` (what the page shows next) and say
    `success`; a refusal is said as an error instead. Back to the two-factor page either way."""
    try:
        write()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        then()
        messages.success(request, success)
    return redirect("two_factor")


def _code_refused(request, form, form_name: str, check):
    """None when the posted code passes `check(code=...)` (which counts it against the
    throttle); otherwise the two-factor page again, with the error or the refusal."""
    if form.is_valid():
        result = check(code=form.cleaned_data["code"])
        if result.ok:
            return None
        if result.refusal:
            return _two_factor_page(request, refusal=result.refusal, status=429, **{form_name: form})
        form.add_error("code", _wrong_code())
    return _two_factor_page(request, **{form_name: form})


def _current_code_refused(request, prefix: str):
    """None when the signed-in user with 2FA on posted a right code (a current one or a
    recovery code); otherwise the answer to give instead."""
    if not two_factor.two_factor_enabled(user=request.user):
        return redirect("two_factor")
    form = TwoFactorCodeForm(request.POST, prefix=prefix)
    check = partial(two_factor.code_check, client=security.Client.of(request), user=request.user)
    return _code_refused(request, form, f"{prefix}_form", check)


@require_POST
def two_factor_disable(request):
    """Switch 2FA off, with a current code (or a recovery code)."""
    if refused := _current_code_refused(request, "disable"):
        return refused
    two_factor.two_factor_disable(user=request.user)
    messages.success(request, _("Two-factor sign-in is off. Your password alone signs you in now."))
    return redirect("two_factor")


@require_POST
def two_factor_recovery_codes(request):
    """New recovery codes, with a current code (or a recovery code); the old ones stop working."""
    if refused := _current_code_refused(request, "regenerate"):
        return refused
    return _two_factor_write(
        request,
        partial(two_factor.recovery_codes_regenerate, user=request.user),
        then=partial(two_factor.recovery_codes_show_next, session=request.session),
        success=_("New recovery codes are ready; the old ones no longer work."),
    )


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
    form_class = PasswordResetForm  # its e-mail goes through the outbox
    token_generator = security.password_reset_tokens

    def form_valid(self, form):
        if not security.password_reset_allowed(
            client=security.Client.of(self.request), email=form.cleaned_data["email"]
        ):
            form.add_error(None, security.password_reset_refusal())
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


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
        _set_language_cookie(response, request, language)
        services.user_language_set(user=request.user, language=language)
    return response
