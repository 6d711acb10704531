"""No more data version: pages are rendered on every request, nothing keeps them.

Drops what 0007 created on PostgreSQL (the statement triggers on every business table, the
business's and the people's update triggers, the deferred flush trigger and its table, the
functions), then the column. Every write stops paying for a bookkeeping statement.

Backward puts them all back as 0007 made them: code that still keeps pages in the cache
must find its versions moving, or it would serve old pages for ever.
"""

import importlib

from django.db import migrations

version_triggers = importlib.import_module("tracking.migrations.0007_company_data_version")


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0010_encrypt_mfa_secrets"),
    ]

    operations = [
        # PostgreSQL only, both ways; the DROPs are IF EXISTS.
        migrations.RunPython(version_triggers._backward, version_triggers._forward, elidable=False),
        migrations.RemoveField(model_name="company", name="data_version"),
    ]
