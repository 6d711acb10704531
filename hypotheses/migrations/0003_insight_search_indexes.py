"""Issue 15: a hypothesis's evidence (an insight of customer interviews), and on PostgreSQL
the indexes of the learnings library: full-text search in Russian and English, and trigram
similarity of titles for "tried before" (the pg_trgm extension).

The indexes are built by the same expressions hypotheses/library.py queries with, so the
planner uses them.
"""

import django.db.models.deletion
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from hypotheses.library import SEARCH_CONFIGS, search_vector


def _indexes():
    return [
        *(GinIndex(search_vector(config), name=f"hypothesis_fts_{config[:2]}") for config in SEARCH_CONFIGS),
        GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="hypothesis_title_trgm"),
    ]


def add_indexes(apps, schema_editor):
    model = apps.get_model("hypotheses", "Hypothesis")
    for index in _indexes():
        schema_editor.add_index(model, index)


def remove_indexes(apps, schema_editor):
    model = apps.get_model("hypotheses", "Hypothesis")
    for index in _indexes():
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("custdev", "0001_initial"),
        ("hypotheses", "0002_text_without_control_characters"),
    ]

    operations = [
        migrations.AddField(
            model_name="hypothesis",
            name="insight",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="hypotheses",
                to="custdev.insight",
                verbose_name="insight",
            ),
        ),
        TrigramExtension(),
        migrations.RunPython(add_indexes, remove_indexes),
    ]
