"""`manage.py seed_demo_integrations`: `seed_demo`, then what the API's layer adds to the demo
(an amoCRM feed and a read-only API token on «Дубрава»). A command of its own because the demo's
seed lives in `sprints`, below the API, and may not import it. Safe to run again."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from ...crm.demo import seed_integrations


class Command(BaseCommand):
    help = "Run seed_demo, then add an amoCRM feed and print a read-only API token for «Дубрава»."

    def handle(self, *args, **options):
        call_command("seed_demo", stdout=self.stdout)
        for line in seed_integrations():
            self.stdout.write(f"  {line}")
