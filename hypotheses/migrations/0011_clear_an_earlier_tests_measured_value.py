"""A hypothesis under test whose measured value was not logged during this test (it is an earlier
test's, kept when the test restarted) loses it: the logged value is the one the verdict reads
first, and an earlier test's number is not this test's."""

from django.db import migrations

CLEAR = """
UPDATE hypotheses_hypothesis h SET measured_value = NULL
WHERE h.status = 'testing' AND h.measured_value IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM hypotheses_hypothesisevent e
    WHERE e.hypothesis_id = h.id AND e.at >= h.testing_started_at AND e.changes ? 'measured_value'
  )
"""


class Migration(migrations.Migration):
    dependencies = [("hypotheses", "0010_testing_check_by_index")]

    operations = [migrations.RunSQL(CLEAR, migrations.RunSQL.noop, elidable=True)]
