"""Toolkit → Outcomes over outputs: did the key metric move, or did we only do the actions?"""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from tracking.access import access_company

from ..outcomes import moved_toward, outcomes_many


@require_GET
def outcomes(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    data = outcomes_many([company.pk])[company.pk]
    rows = [(o, moved_toward(data.key_metric, o.metric_start, o.metric_end)) for o in data.sprints]
    context = {"company": company, "membership": membership, "outcomes": data, "rows": rows}
    return render(request, "sprints/outcomes.html", context)
