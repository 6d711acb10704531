"""The user's Telegram page (link, unlink, channels) and the bot's webhook."""

import hmac
import json
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ..delivery.telegram import telegram_configured
from ..form_errors import apply_errors
from . import selectors, services
from .forms import ChannelsForm

PAGE = "tracking/telegram.html"
SECRET_HEADER = "HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"
UPDATE_MAX_BYTES = 256 * 1024


def _context(request, *, link: str = "", form: ChannelsForm | None = None) -> dict:
    chat = selectors.chat_of(request.user)
    configured = telegram_configured()
    return {
        "configured": configured,
        "chat": chat,
        "link": link,
        "form": form or ChannelsForm(initial={"channels": chat.channels if chat else ""}),
        "minutes": services.LINK_TOKEN_MINUTES,
    }


@require_GET
def telegram_page(request):
    return render(request, PAGE, _context(request))


@require_POST
def telegram_link(request):
    """A new one-time link, shown once on the page."""
    if not telegram_configured():
        return redirect("telegram")
    username = selectors.bot_username()
    if not username:
        return render(request, PAGE, {**_context(request), "unreachable": True}, status=503)
    token = services.link_token_create(user=request.user)
    return render(request, PAGE, _context(request, link=f"https://t.me/{username}?start={token}"))


@require_POST
def telegram_unlink(request):
    services.chat_unlink(user=request.user)
    return redirect("telegram")


@require_POST
def telegram_channels(request):
    form = ChannelsForm(request.POST)
    if form.is_valid():
        try:
            services.channels_set(user=request.user, channels=form.cleaned_data["channels"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("telegram")
    return render(request, PAGE, _context(request, form=form))


@csrf_exempt
@login_not_required
@require_POST
def telegram_webhook(request, handle: Callable[[int], None]):
    """Telegram's updates: only with the installation's secret (else 403, nothing kept), each
    update_id once; `handle` (given by the root URLconf) takes a new one's id after the commit.
    Answered at once: the work is the worker's."""
    secret = getattr(settings, "TELEGRAM_WEBHOOK_SECRET", "")
    given = request.META.get(SECRET_HEADER, "")
    if not telegram_configured() or not hmac.compare_digest(given.encode(), secret.encode()):
        return HttpResponseForbidden()
    if len(request.body) > UPDATE_MAX_BYTES:
        return HttpResponse(status=413)
    try:
        payload = json.loads(request.body)
    except ValueError:
        return HttpResponse(status=400)
    if isinstance(payload, dict) and (update := services.update_receive(payload=payload)):
        handle(update.pk)
    return HttpResponse(status=200)
