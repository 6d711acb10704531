"""Interview scripts written for a hypothesis.

The link lives on this side (models.ScriptLink) so that custdev does not import hypotheses.
The project's urls.py passes `purpose()` to custdev's script pages (tracking/custdev/purposes.py):
the script create form carries ?hypothesis=<id> to the save, and the script page says which
hypothesis it is for. A script links only to a live hypothesis of its own
business.
"""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from tracking.custdev.models import Script
from tracking.custdev.purposes import Link, Purpose
from tracking.models import Company

from .models import Hypothesis, ScriptLink

PARAM = "hypothesis"


def _label(pk: int, title: str) -> str:
    return _("hypothesis %(number)s: %(title)s") % {"number": pk, "title": title}


def _link(company_id: int, pk: int, title: str) -> Link:
    return Link(_label(pk, title), reverse("hypotheses:detail", args=[company_id, pk]))


def find(company: Company, hypothesis_id: int) -> Link | None:
    """The live hypothesis of this business with that id (one query), or None."""
    row = Hypothesis.objects.live().filter(company=company, pk=hypothesis_id).values_list("pk", "title").first()
    return _link(company.pk, *row) if row else None


def attach(script: Script, hypothesis_id: int) -> ScriptLink:
    """Link a script to a hypothesis of the script's own business (called inside the script's
    creation, custdev's services.script_create, so both are saved or neither)."""
    hypothesis = Hypothesis.objects.live().filter(company_id=script.company_id, pk=hypothesis_id).first()
    if hypothesis is None:
        raise ValidationError(_("That hypothesis is not in this business."))
    link, _created = ScriptLink.objects.update_or_create(script=script, defaults={"hypothesis": hypothesis})
    return link


def links_of(script: Script) -> list[Link]:
    """What the script page says: the hypothesis it is written for (one query)."""
    rows = Hypothesis.objects.live().filter(script_links__script=script, company_id=script.company_id)
    return [_link(script.company_id, pk, title) for pk, title in rows.values_list("pk", "title")]


def scripts_of(hypothesis: Hypothesis) -> list[Script]:
    """The hypothesis page's interview scripts, newest first (one query)."""
    return list(
        Script.objects.filter(hypothesis_link__hypothesis=hypothesis, company_id=hypothesis.company_id)
        .only("pk", "title", "kind", "updated_at")
        .order_by("-updated_at", "-pk")
    )


def purpose() -> Purpose:
    return Purpose(param=PARAM, find=find, attach=attach, links_of=links_of)
