from django.utils.translation import gettext as _

from tracking.access import row_by_id
from tracking.db import aliased_columns, instance_beside
from tracking.models import Company, Constraint, Metric, User

from .models import Hypothesis

# A hypothesis of the business with its metric, main constraint and author beside it: every
# save of a hypothesis (and its page) asks it, so it is written once rather than built by the
# ORM on each. `archived` picks the archive's side (the last parameter: not archived).
_HYPOTHESIS_SQL = f"""
SELECT h.*, {aliased_columns(Metric, "m", "metric__")}, {aliased_columns(Constraint, "k", "constraint__")},
       {aliased_columns(User, "u", "author__")}
FROM {Hypothesis._meta.db_table} h
LEFT JOIN {Metric._meta.db_table} m ON m.id = h.metric_id
LEFT JOIN {Constraint._meta.db_table} k ON k.id = h.constraint_id
LEFT JOIN {User._meta.db_table} u ON u.id = h.author_id
WHERE h.id = %s AND h.company_id = %s AND (h.archived_at IS NULL) = %s
"""


def access_hypothesis(company: Company, hypothesis_id, *, archived: bool = False) -> Hypothesis:
    """A hypothesis of a company the caller already has access to, or 404."""
    hypothesis = row_by_id(
        Hypothesis, _HYPOTHESIS_SQL, hypothesis_id, company.pk, not archived, missing=_("No such hypothesis.")
    )
    hypothesis.company = company  # the caller's, already read: not joined again
    for name, model in (("metric", Metric), ("constraint", Constraint), ("author", User)):
        if getattr(hypothesis, f"{name}_id") is None:
            setattr(hypothesis, name, None)
        else:
            setattr(hypothesis, name, instance_beside(hypothesis, model, f"{name}__"))
    return hypothesis
