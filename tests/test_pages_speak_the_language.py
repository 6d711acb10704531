"""Every page of the demo speaks its reader's language: a walk through every page a tracker can
reach by links, from the portfolio, in «Дубрава» in Russian and in Bluebird in English.

In Russian a page fails on
- a Latin word that is not on the allow-list below (people's and product names, units, codes);
- Django's own English defaults ("This field is required", "---------" …);
- a count with the wrong plural form («21 лидов», «22 действий»);
- a number over 9,999 without its grouping («350000»).
In English a page fails on Cyrillic text that is not the business's own data (its people's
names; Bluebird's data is English).

Only what a person reads is checked: text, and the placeholder, title and aria-label of
elements; not URLs, ids or scripts. A part a page folds and fetches when it is opened (a step
of the weekly session) is read too, fetched as opening it does (htmx)."""

import io
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from babel import Locale
from django.core.management import call_command

from tracking.models import Company, User

pytestmark = pytest.mark.django_db  # at the run's own instant; each page walk seeds the demo (~10 s)

TRACKER = "tracker@demo.example"
RU_BUSINESS = "Кухни на заказ «Дубрава»"
EN_BUSINESS = "Bluebird Coffee Roasters"
MAX_PAGES = 140

# Latin words a Russian page may show: codes and abbreviations the method uses as they are,
# units, currencies, the language switch, product names.
ALLOWED_LATIN = {
    # the language switch, currencies, units
    "EN", "RU", "RUB", "USD", "EUR", "GBP", "A", "B",
    # the toolkit's terms (unit economics as trackers write it) and the scoring
    "ICE", "UA", "C1", "AC", "AvPrice", "APC", "COGS", "FC", "CPA", "CAC", "ARPU", "ARPPU", "LTV", "CM", "AOV",
    # file formats and standards
    "PDF", "CSV", "SVG", "TOTP", "QR", "CRM", "API",
    # the CRMs a business connects, by their names
    "amoCRM", "HubSpot",
    # the book behind the interview hints
    "Mom", "Test",
}  # fmt: skip

DJANGO_DEFAULTS = (
    "This field is required",
    "Select a valid choice",
    "Enter a valid",
    "Ensure this value",
    "Enter a number",
    "---------",
    "Select an option",
)

# Russian count nouns as the app writes them after a number, in the forms of Russian's plural
# categories: one «1 лид», few «2 лида», many «5 лидов». («интервью», one form for all, is left out.)
PLURAL_CATEGORIES = ("one", "few", "many")
COUNT_NOUNS = [
    ("лид", "лида", "лидов"),
    ("замер", "замера", "замеров"),
    ("договор", "договора", "договоров"),
    ("действие", "действия", "действий"),
    ("гипотеза", "гипотезы", "гипотез"),
    ("спринт", "спринта", "спринтов"),
    ("день", "дня", "дней"),
    ("неделя", "недели", "недель"),
    ("час", "часа", "часов"),
    ("клиент", "клиента", "клиентов"),
    ("участник", "участника", "участников"),
    ("цитата", "цитаты", "цитат"),
    ("бизнес", "бизнеса", "бизнесов"),
    ("вопрос", "вопроса", "вопросов"),
]
# each form → the plural category it belongs to
COUNT_WORDS = {form: category for forms in COUNT_NOUNS for form, category in zip(forms, PLURAL_CATEGORIES, strict=True)}
RUSSIAN_PLURAL = Locale.parse("ru").plural_form

COUNT = re.compile(r"(?<![\d,.\-])(\d+)(?:\s| )+([а-яё]+)", re.IGNORECASE)
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
# A plain run of five or more digits not inside a longer number, a date, a time or a code.
UNGROUPED = re.compile(r"(?<![\d.,:/\-#])\d{5,}(?![\d.,:/\-])")


class _Page(HTMLParser):
    """A page's readable text (one string per text node or attribute), its links and the parts
    it folds (fetched when opened)."""

    SKIP = {"script", "style", "template"}
    READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts, self.links, self.folded, self._skipping = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.SKIP:
            self._skipping += 1
        if tag == "a" and attrs.get("href") and "download" not in attrs:
            self.links.append(attrs["href"])
        if "data-folded" in attrs and attrs.get("hx-get"):
            self.folded.append(attrs["hx-get"])
        self.texts += [attrs[name] for name in self.READ_ATTRIBUTES if attrs.get(name)]

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.texts.append(data.strip())


def _walk(client, start: str, inside: str) -> dict[str, list[str]]:
    """Every page reachable by links from `start` whose path is under `inside` (or a page of
    the user's own: the portfolio, the library), and every part a page folds, as {url: readable
    texts}."""
    seen, queue, pages, folded = set(), [start], {}, set()
    while queue and len(pages) < MAX_PAGES:
        url = urldefrag(queue.pop(0))[0]
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        page = _Page()
        page.feed(response.content.decode())
        pages[url] = page.texts
        for part in set(page.folded) - folded:  # opened as the browser opens it: htmx
            folded.add(part)
            answer = client.get(part, headers={"HX-Request": "true"})
            assert answer.status_code == 200, (url, part, answer.status_code)
            opened = _Page()
            opened.feed(answer.content.decode())
            pages[f"{part} (opened)"] = opened.texts
            page.links += opened.links
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith(inside):
                continue
            if "export" in parts.path or parts.path.endswith(".csv") or "/csv" in parts.path:
                continue
            queue.append(link)
    return pages


def _person_words() -> set[str]:
    return {word for name in User.objects.values_list("full_name", flat=True) for word in LATIN_WORD.findall(name)}


def _russian_problems(url: str, texts: list[str], allowed: set[str]) -> list[str]:
    problems = []
    for text in texts:
        if "@" in text:  # an e-mail address is shown as it is
            text = re.sub(r"\S+@\S+", "", text)
        for default in DJANGO_DEFAULTS:
            if default in text:
                problems.append(f"{url}: Django's English default {default!r} in {text!r}")
        for word in LATIN_WORD.findall(text):
            if word not in allowed:
                problems.append(f"{url}: Latin {word!r} in {text[:120]!r}")
        for number, word in COUNT.findall(text):
            category = COUNT_WORDS.get(word.lower())
            if category is not None and RUSSIAN_PLURAL(int(number)) != category:
                problems.append(f"{url}: wrong plural «{number} {word}» in {text[:120]!r}")
        for digits in UNGROUPED.findall(text):
            problems.append(f"{url}: ungrouped number {digits} in {text[:120]!r}")
    return problems


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


def _client(client, language: str):
    client.force_login(User.objects.get(email=TRACKER))
    client.cookies["django_language"] = language
    return client


def test_every_page_of_the_russian_business_is_russian(demo, client):
    company = Company.objects.get(name=RU_BUSINESS)
    pages = _walk(_client(client, "ru"), f"/b/{company.pk}/", f"/b/{company.pk}/")
    assert len(pages) > 25, sorted(pages)
    assert sum(url.endswith(" (opened)") for url in pages) >= 5, sorted(pages)  # the session's folded steps
    allowed = ALLOWED_LATIN | _person_words()
    problems = [problem for url, texts in pages.items() for problem in _russian_problems(url, texts, allowed)]
    assert not problems, "\n".join(dict.fromkeys(problems))


def test_every_page_of_the_english_business_is_english(demo, client):
    company = Company.objects.get(name=EN_BUSINESS)
    pages = _walk(_client(client, "en"), f"/b/{company.pk}/", f"/b/{company.pk}/")
    assert len(pages) > 25, sorted(pages)
    assert sum(url.endswith(" (opened)") for url in pages) >= 5, sorted(pages)  # the session's folded steps
    problems = [
        f"{url}: Cyrillic in {text[:120]!r}" for url, texts in pages.items() for text in texts if CYRILLIC.search(text)
    ]
    assert not problems, "\n".join(dict.fromkeys(problems))
