from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SprintsConfig(AppConfig):
    name = "sprints"
    verbose_name = _("Sprints")

    def ready(self):
        from tracking import portfolio

        from .outcomes import outcomes_overview
        from .portfolio import sprint_overview

        # The portfolio card's sprint part (see tracking/portfolio.py: the only registry).
        portfolio.register(
            sprint_overview,
            facts_template="sprints/_portfolio_section.html#facts",
            actions_template="sprints/_portfolio_section.html#actions",
        )
        # "Busy, not moving" (sprints/outcomes.py): on the card, in the digest, on the business page.
        portfolio.register(outcomes_overview, facts_template="sprints/_outcomes_card.html", on_company_page=True)
