"""After an htmx save, the address bar forgets the form that was open.

A page opens a form in place from its address (`?edit_step=4`, `?edit=12&as=not_done`,
`?decide=7`, the session's `?open=verdicts`), so that it works without JavaScript and can be
linked to. An htmx save answers with the part that changed and leaves the address as it was,
so a reload or Back after the save would open the form just saved again. Every htmx write's
answer therefore replaces the address with the same one without those parameters.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django_htmx.http import replace_url

OPENS_A_FORM = frozenset({"edit", "edit_step", "as", "decide", "open"})


def _without_opened_form(url: str) -> str | None:
    """The path of `url` without the parameters that open a form, or None when it has none."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(name, value) for name, value in query if name not in OPENS_A_FORM]
    if len(kept) == len(query):
        return None
    return urlunsplit(("", "", parts.path, urlencode(kept), parts.fragment))


class ForgetOpenedFormMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        htmx = getattr(request, "htmx", None)
        if request.method != "POST" or not htmx or not htmx.current_url or not 200 <= response.status_code < 300:
            return response
        if any(header in response for header in ("HX-Replace-Url", "HX-Push-Url", "HX-Redirect", "HX-Location")):
            return response  # the view said where the page goes
        url = _without_opened_form(htmx.current_url)
        return replace_url(response, url) if url is not None else response
