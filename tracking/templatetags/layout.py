"""The base layout's links, reversed once per process instead of on every page.

The layout links to the same few pages on every request, and to ten pages of the current
business. Reversing each of them per render was a third of the layout's cost; here the
site's links are reversed once per script prefix, and a business's links are one reverse of
its overview plus the other pages' paths below it, which are the same for every business.
"""

from functools import cache

from django import template
from django.core.exceptions import ImproperlyConfigured
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

register = template.Library()

SITE = {
    "portfolio": "tracking:portfolio",
    "login": "login",
    "language_set": "language_set",
    "account_activity": "account_activity",
    "logout": "logout",
    "library": "hypotheses:library",  # the learnings library across the user's businesses
}
BUSINESS = {
    "sprints": "sprints:list",
    "results": "sprints:results",
    "session": "sprints:session",
    "hypotheses": "hypotheses:board",
    "history": "hypotheses:history",
    "metrics": "tracking:metrics",
    "goals": "tracking:goals",
    "toolkit": "toolkit:funnel",
    "members": "tracking:members",
    "settings": "tracking:company_settings",
}


@cache
def _site(script_prefix: str) -> dict[str, str]:
    # The prefix is the cache's key: `reverse` puts it in front of every path.
    return {key: reverse(name) for key, name in SITE.items()}


@cache
def _business_paths() -> dict[str, str]:
    """Each business page's path below the business's overview (e.g. "sprints/")."""
    overview = reverse("tracking:company_detail", args=[0])
    paths = {key: reverse(name, args=[0]) for key, name in BUSINESS.items()}
    if not all(path.startswith(overview) for path in paths.values()):
        raise ImproperlyConfigured(f"A business page is no longer below its overview: {paths}")
    return {key: path.removeprefix(overview) for key, path in paths.items()}


_SENTINEL = 987654321987


@cache
def _overview_parts(script_prefix: str) -> tuple[str, str]:
    """A business overview's path around its id: (before, after)."""
    path = reverse("tracking:company_detail", args=[_SENTINEL])
    before, after = path.split(str(_SENTINEL))
    return before, after


def business_overview(company_id: int) -> str:
    before, after = _overview_parts(get_script_prefix())
    return f"{before}{int(company_id)}{after}"


@register.simple_tag
def business_url(company_id: int, page: str = "") -> str:
    """A business's overview (or one of BUSINESS's pages below it) without a reverse per call:
    {% business_url row.company.pk "members" %}, for lists of businesses."""
    return business_overview(company_id) + (_business_paths()[page] if page else "")


@register.simple_tag(takes_context=True)
def layout_urls(context) -> dict:
    """The layout's links; with the current business's (`company` in the page's context)."""
    urls = dict(_site(get_script_prefix()))
    company = context.get("company")
    if company:
        overview = business_overview(company.pk)
        urls["overview"] = overview
        urls.update({key: overview + path for key, path in _business_paths().items()})
    return urls


# The business's pages in its menu, in order: the link's key (layout_urls), its words, and
# whether it is the page being shown, from the resolved URL's (app_name, url_name).
BUSINESS_NAV = (
    ("overview", _("Overview"), lambda app, name: name == "company_detail"),
    ("sprints", _("Sprints"), lambda app, name: app == "sprints" and name not in ("results", "session")),
    ("results", _("Log results"), lambda app, name: name == "results"),
    ("session", _("Weekly session"), lambda app, name: name == "session"),
    ("hypotheses", _("Hypotheses"), lambda app, name: app == "hypotheses" and name != "history"),
    ("history", _("History"), lambda app, name: name == "history"),
    ("metrics", _("Metrics"), lambda app, name: name in ("metrics", "metric_detail")),
    ("toolkit", _("Toolkit"), lambda app, name: app in ("toolkit", "custdev") or name == "outcomes"),
    ("goals", _("Goals"), lambda app, name: name in ("goals", "goal_edit")),
    ("members", _("Members"), lambda app, name: name == "members"),
    ("settings", _("Settings"), lambda app, name: name == "company_settings"),
)


@register.simple_tag(takes_context=True)
def business_nav(context, urls: dict) -> str:
    """The business menu's links (layout_urls' `urls`), the page being shown marked: made in one
    pass, as every business page shows it."""
    match = context["request"].resolver_match
    app, name = (match.app_name, match.url_name) if match else ("", "")
    links = []
    for key, words, here in BUSINESS_NAV:
        current = ' aria-current="page"' if here(app, name) else ""
        links.append(f'<a href="{urls[key]}"{current}>{conditional_escape(words)}</a>')
    return mark_safe("\n".join(links))
