"""Demo data: a tracker with three businesses, their teams, planning, hypotheses and sprints.
Safe to run again. The businesses are data in sprints/demo/businesses/; the seeding is
sprints/demo/seed.py, through the services, so the demo obeys every rule of the app."""

from django.core.management.base import BaseCommand

from sprints.demo.seed import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo tracker, three businesses, their teams, planning data, hypotheses and sprints."

    def handle(self, *args, **options):
        logins = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in with any of:"))
        for email, what in logins:
            self.stdout.write(f"  {email:<28} {DEMO_PASSWORD}   ({what})")
