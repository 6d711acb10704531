"""Issue 15, "tried before" at 20,000 hypotheses: the titles' trigram index becomes a GiST one.

A GIN trigram index can only filter: every title that is somewhat alike (a thousand copies of
a common idea) was fetched and scored before the best five were kept, 166 ms. GiST answers
`ORDER BY 'typed' <<-> title LIMIT n` by walking the index nearest first (KNN), so the
library's "tried before" reads only the rows it shows. PostgreSQL only, like 0003.
"""

from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.db import migrations

GIN = GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="hypothesis_title_trgm")
GIST = GistIndex(fields=["title"], opclasses=["gist_trgm_ops"], name="hypothesis_title_trgm_gist")


def _swap(old, new):
    def run(apps, schema_editor):
        model = apps.get_model("hypotheses", "Hypothesis")
        schema_editor.remove_index(model, old)
        schema_editor.add_index(model, new)

    return run


class Migration(migrations.Migration):
    dependencies = [("hypotheses", "0004_script_link")]

    operations = [migrations.RunPython(_swap(GIN, GIST), _swap(GIST, GIN))]
