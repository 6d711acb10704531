"""The table of the embedded default's cache (tracking/accounts/counter_cache.py): whole numbers with a
Unix-time expiry, incremented atomically. Not a model: only that cache backend reads it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0011_drop_company_data_version"),
    ]

    operations = [
        migrations.RunSQL(
            """
            CREATE TABLE counter_cache (
                key text PRIMARY KEY,
                value bigint NOT NULL,
                expires double precision NOT NULL
            );
            CREATE INDEX counter_cache_expires ON counter_cache (expires);
            """,
            "DROP TABLE counter_cache;",
        ),
    ]
