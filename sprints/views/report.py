"""Screen 8: the roll-up of a closed sprint, printable on A4."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from hypotheses.models import Verdict
from tracking.access import access_company

from .. import rollups
from ..access import access_sprint
from ..models import Review, SprintStatus
from .results import status_labels


@require_GET
def report(request, company_id: int, sprint_id: int):
    """The roll-up of a sprint, printable on A4: a closed sprint's report (computed at the close,
    or now for one closed before), an open sprint's numbers so far."""
    company, membership = access_company(request.user, company_id)
    sprint = access_sprint(company, sprint_id)
    context = {
        "company": company,
        "membership": membership,
        "sprint": sprint,
        "d": rollups.report_numbers(sprint),
        "final": sprint.status == SprintStatus.CLOSED,
        "review": Review.objects.filter(sprint=sprint).first(),
        "status_labels": status_labels(),
        "verdict_labels": {value: str(label) for value, label in Verdict.choices},
    }
    return render(request, "sprints/report.html", context)
