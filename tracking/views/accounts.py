import contextlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import services
from ..forms import (
    InvitationAcceptForm,
)
from ..invitations import invitation_by_link

# --- Accounts ----------------------------------------------------------------------------


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class ThrottledLoginView(auth_views.LoginView):
    """Sign-in that refuses more than LOGIN_THROTTLE_ATTEMPTS failures per address and
    account within the window. A dead cache fails open: nobody is locked out by an outage."""

    def _key(self) -> str:
        username = (self.request.POST.get("username") or "").strip().lower()
        return f"login-failures:{_client_ip(self.request)}:{username}"

    def _failures(self) -> int:
        try:
            return cache.get(self._key(), 0)
        except Exception:
            return 0

    def post(self, request, *args, **kwargs):
        if self._failures() >= settings.LOGIN_THROTTLE_ATTEMPTS:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Too many failed attempts. Wait a few minutes and try again."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        try:
            key = self._key()
            cache.add(key, 0, settings.LOGIN_THROTTLE_WINDOW_SECONDS)
            cache.incr(key)
        except Exception:
            pass
        return super().form_invalid(form)

    def form_valid(self, form):
        with contextlib.suppress(Exception):
            cache.delete(self._key())
        services.user_language_set(user=form.get_user(), language=self.request.LANGUAGE_CODE)
        return super().form_valid(form)


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
