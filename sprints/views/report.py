"""Screen 8: the roll-up of a closed sprint, printable on A4."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from tracking.access import access_company

from ..access import access_sprint
from ..models import Review, SprintReport


@require_GET
def report(request, company_id: int, sprint_id: int):
    """The roll-up of a sprint, printable on A4."""
    company, membership = access_company(request.user, company_id)
    sprint = access_sprint(company, sprint_id)
    sprint_report = SprintReport.objects.filter(sprint=sprint).first()
    review = Review.objects.filter(sprint=sprint).first()
    sprint.review_obj = review
    context = {"company": company, "membership": membership, "sprint": sprint, "report": sprint_report}
    return render(request, "sprints/report.html", context)
