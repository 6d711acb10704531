"""The learnings library keeps what was dropped, and why: each language's search document
(0006) also holds the reason a hypothesis was dropped and the reason its verdict went against
its numbers, so a word of either finds it.

A generated column's expression cannot be changed in place before PostgreSQL 17: the two
columns are dropped and added again in one statement each (one rewrite of the table), and
their GIN indexes are built again under the same names. PostgreSQL only, like 0006.
"""

from django.db import migrations

CONFIGS = ("russian", "english")
BEFORE = "COALESCE(title, '') || ' ' || COALESCE(statement, '') || ' ' || COALESCE(learning, '')"
AFTER = BEFORE + " || ' ' || COALESCE(drop_reason, '') || ' ' || COALESCE(against_numbers_reason, '')"


def _documents(document):
    def run(apps, schema_editor):
        columns = [(f"search_{config[:2]}", config) for config in CONFIGS]
        drops = ", ".join(f"DROP COLUMN {column}" for column, _config in columns)
        schema_editor.execute(f"ALTER TABLE hypotheses_hypothesis {drops}")  # drops their indexes too
        adds = ", ".join(
            f"ADD COLUMN {column} tsvector GENERATED ALWAYS AS (to_tsvector('{config}'::regconfig, {document})) STORED"
            for column, config in columns
        )
        schema_editor.execute(f"ALTER TABLE hypotheses_hypothesis {adds}")
        for column, config in columns:
            index = f"hypothesis_fts_{config[:2]}"
            schema_editor.execute(f"CREATE INDEX {index} ON hypotheses_hypothesis USING gin ({column})")

    return run


class Migration(migrations.Migration):
    dependencies = [("hypotheses", "0007_check_by_and_verdicts_against_numbers")]

    operations = [migrations.RunPython(_documents(AFTER), _documents(BEFORE))]
