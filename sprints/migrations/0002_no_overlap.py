"""Rules PostgreSQL can hold beyond what Django's portable constraints express.

Two sprints of one company never overlap (an exclusion constraint over date ranges, which
needs btree_gist for the company equality) and a sprint lasts at most 14 days.
sprints.services checks the same rules, to say which sprint is in the way.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE sprints_sprint ADD CONSTRAINT sprint_no_overlap EXCLUDE USING gist (
           company_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&
       ) WHERE (archived_at IS NULL)""",
    "ALTER TABLE sprints_sprint ADD CONSTRAINT sprint_at_most_14_days CHECK (ends_on - starts_on <= 13)",
]
BACKWARD = [
    "ALTER TABLE sprints_sprint DROP CONSTRAINT IF EXISTS sprint_at_most_14_days",
    "ALTER TABLE sprints_sprint DROP CONSTRAINT IF EXISTS sprint_no_overlap",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("sprints", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
