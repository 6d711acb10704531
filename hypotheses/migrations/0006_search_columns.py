"""Issue 15, the library at 20,000 hypotheses: each language's search document is a stored
column, not an expression computed per row.

With the document as an expression (0003), a filter the planner found more selective (a
constraint area) came first and every row it kept had its text parsed twice, in Russian and
English, to check the words: 138 ms for "delivery" in one area. Stored, generated columns are
parsed once, when a hypothesis is written; the GIN indexes keep their names and now index the
columns.
"""

from django.db import migrations

from hypotheses.library import SEARCH_CONFIGS, search_column

DOCUMENT = "COALESCE(title, '') || ' ' || COALESCE(statement, '') || ' ' || COALESCE(learning, '')"


def _forward(apps, schema_editor):
    for config in SEARCH_CONFIGS:
        column, index = search_column(config), f"hypothesis_fts_{config[:2]}"
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(
            f"ALTER TABLE hypotheses_hypothesis ADD COLUMN {column} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('{config}'::regconfig, {DOCUMENT})) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {index} ON hypotheses_hypothesis USING gin ({column})")


def _backward(apps, schema_editor):
    for config in SEARCH_CONFIGS:
        index = f"hypothesis_fts_{config[:2]}"
        schema_editor.execute(f"ALTER TABLE hypotheses_hypothesis DROP COLUMN {search_column(config)}")
        schema_editor.execute(
            f"CREATE INDEX {index} ON hypotheses_hypothesis USING gin (to_tsvector('{config}'::regconfig, {DOCUMENT}))"
        )


class Migration(migrations.Migration):
    dependencies = [("hypotheses", "0005_title_trigram_gist")]

    operations = [migrations.RunPython(_forward, _backward)]
