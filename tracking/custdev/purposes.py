"""What a script is written for, in an app above custdev: a script belongs to a business
and optionally to something of an app above, such as a hypothesis.

custdev must not import hypotheses (the apps depend one way: hypotheses → tracking), so the
app above describes a `Purpose` (hypotheses/scripts.py `purpose()`): how to find what the
script is for in a business, how to link a new script to it (inside script_create's
transaction), and what the script page says about it. The project's urls.py passes the
purposes to the script pages (custdev/urls.py `patterns`); these functions take them as an
argument. The script create form carries the purpose's id (e.g. ?hypothesis=7) from the link
that opened it to the save.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..models import Company
from ..query_params import int_param
from .models import Script


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Purpose:
    param: str  # the query and form parameter, e.g. "hypothesis"
    find: Callable[[Company, int], Link | None]  # what the id names in this business, or None
    attach: Callable[[Script, int], None]  # link a new script (checks the business again)
    links_of: Callable[[Script], list[Link]]  # what the script page shows (one query)


Purposes = Sequence[Purpose]


def requested(query, purposes: Purposes) -> dict[str, int]:
    """The purposes a query or form names: {"hypothesis": 7}; anything not an id is left out."""
    found = {p.param: int_param(query.get(p.param), minimum=1) for p in purposes}
    return {param: pk for param, pk in found.items() if pk}


def found_in(company: Company, ids: dict[str, int], purposes: Purposes) -> dict[str, Link]:
    """What those ids name in this business, by parameter (another business's ids name nothing)."""
    found = {}
    for purpose in purposes:
        if purpose.param in ids:
            link = purpose.find(company, ids[purpose.param])
            if link:
                found[purpose.param] = link
    return found


def attach(script: Script, ids: dict[str, int], purposes: Purposes) -> None:
    for purpose in purposes:
        if purpose.param in ids:
            purpose.attach(script, ids[purpose.param])


def links_of(script: Script, purposes: Purposes) -> list[Link]:
    return [link for purpose in purposes for link in purpose.links_of(script)]
