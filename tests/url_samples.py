"""A sample for every URL pattern of the project, filled with one company's objects.

The tenant walker and the role table both read this. A URL pattern with no entry here
makes tests/test_tenant_isolation.py fail, so every new URL is covered by construction.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from django.urls import URLPattern, URLResolver, get_resolver


class Scope(Enum):
    COMPANY = "company"  # takes a company's objects: outsiders get 404
    USER = "user"  # a signed-in user's own page, no company ids in the URL
    PUBLIC = "public"  # works signed out (sign-in, language switch, health, invitation link)
    # The API (/api/v1/): an API token of one business, not a session, signs in; the ids are
    # that business's objects (tests/api/test_tenancy.py walks them with another's token).
    API = "api"


@dataclass(frozen=True)
class Sample:
    scope: Scope
    kwargs: Callable = lambda team: {}


def _invitation_to(team) -> dict:
    """An open invitation of another business to the team's tracker: theirs to answer."""
    from tests.factories import MembershipFactory

    return {"membership_id": MembershipFactory(user=team.tracker.user, accepted_at=None).pk}


def _custdev_sample(team, kind: str):
    """One interview, script or insight of the team's business (created on first use; the
    interview is the tracker's, so the tracker and the entrepreneur may edit it)."""
    from tests.custdev.factories import InterviewFactory, ScriptFactory, TagFactory
    from tracking.custdev.models import Insight, Interview, Script

    company = team.company
    if kind == "interview":
        found = Interview.objects.filter(company=company, author=team.tracker.user).first()
        return found or InterviewFactory(company=company, author=team.tracker.user, interviewer=team.tracker)
    if kind == "script":
        return Script.objects.filter(company=company).first() or ScriptFactory(company=company)
    tag = TagFactory(company=company, name="sample tag")
    return Insight.objects.filter(company=company).first() or Insight.objects.create(
        company=company, tag=tag, sentence="Sample insight", people=3
    )


def _api_token(team):
    """One API token of the team's business, made by its tracker (created on first use)."""
    from tracking.api.models import ApiToken
    from tracking.api.services import api_token_create

    found = ApiToken.objects.filter(company=team.company).first()
    return found or api_token_create(by=team.tracker, name="Sample token", scopes=["read"]).token


def _webhook(team) -> dict:
    """One webhook of the team's business, made by its tracker (created on first use)."""
    from tracking.models import WebhookSubscription
    from tracking.webhooks.services import webhook_subscription_create

    found = WebhookSubscription.objects.filter(company=team.company).first()
    subscription = found or webhook_subscription_create(
        by=team.tracker, url="https://hooks.example.com/sample", events=["sprint.closed"]
    )
    return {"company_id": team.company.pk, "subscription_id": subscription.pk}


def _crm_mapping(team) -> dict:
    """One stage mapping of the team's amoCRM connection, to a funnel-stage metric of its own
    (all made by its tracker on first use)."""
    from tests.factories import MetricFactory
    from tracking.api.crm.models import CrmStageMapping
    from tracking.api.crm.services import crm_connection_save, crm_mapping_create
    from tracking.models import Metric

    found = CrmStageMapping.objects.filter(connection__company=team.company).first()
    if found is None:
        crm_connection_save(by=team.tracker, provider="amocrm", secret="")
        name = f"{team.company.name} meetings"
        stage = Metric.objects.filter(company=team.company, name=name).first()
        stage = stage or MetricFactory(company=team.company, name=name, funnel_stage=1)
        found = crm_mapping_create(by=team.tracker, pipeline_id="", stage_id="142", metric=stage)
    return {"company_id": team.company.pk, "mapping_id": found.pk}


def _last_week(team) -> str:
    """A day of the business's last finished week, as the API's PUT of a weekly value takes it."""
    from datetime import timedelta

    from tracking.weeks import current_week_start

    return (current_week_start(team.company) - timedelta(days=3)).isoformat()


def _testing_hypothesis(team) -> dict:
    """A hypothesis of the team's business under test (made on first use), whose measured value
    the API takes."""
    from hypotheses.models import Hypothesis, Status
    from tests.factories import HypothesisFactory

    found = Hypothesis.objects.filter(company=team.company, status=Status.TESTING).first()
    found = found or HypothesisFactory(company=team.company, metric=team.metric, status=Status.TESTING)
    return {"hypothesis_id": found.pk}


def _closed_sprint(team) -> dict:
    """A closed sprint of the team's business, two weeks before its active one (made on first use)."""
    from datetime import timedelta

    from sprints.models import Sprint, SprintStatus
    from tests.factories import SprintFactory

    found = Sprint.objects.filter(company=team.company, status=SprintStatus.CLOSED).first()
    starts_on = team.active_sprint.starts_on - timedelta(days=14)
    found = found or SprintFactory(
        company=team.company,
        number=100,
        status=SprintStatus.CLOSED,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=6),
    )
    return {"sprint_id": found.pk}


# A page or form of a business that takes nothing but the business.
BUSINESS = Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk})

SAMPLES: dict[str, Sample] = {
    # tracking
    "tracking:portfolio": Sample(Scope.USER),
    "tracking:company_create": Sample(Scope.USER),
    "tracking:floor": Sample(Scope.USER),
    "tracking:invitation_accept_existing": Sample(Scope.USER, _invitation_to),
    "tracking:invitation_decline": Sample(Scope.USER, _invitation_to),
    "tracking:company_detail": BUSINESS,
    "tracking:company_settings": BUSINESS,
    "tracking:members": BUSINESS,
    "tracking:member_add": BUSINESS,
    "tracking:member_update": Sample(
        Scope.COMPANY, lambda t: {"company_id": t.company.pk, "membership_id": t.other_member.pk}
    ),
    "tracking:member_remove": Sample(
        Scope.COMPANY, lambda t: {"company_id": t.company.pk, "membership_id": t.other_member.pk}
    ),
    "tracking:constraint_new": BUSINESS,
    "tracking:constraint_history": BUSINESS,
    "tracking:constraint_edit": Sample(
        Scope.COMPANY, lambda t: {"company_id": t.company.pk, "constraint_id": t.constraint.pk}
    ),
    "tracking:why_add": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "constraint_id": t.constraint.pk}),
    "tracking:why_edit": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "step_id": t.why_steps[0].pk}),
    "tracking:why_move": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "step_id": t.why_steps[0].pk}),
    "tracking:why_delete": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "step_id": t.why_steps[0].pk}),
    "tracking:why_root": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "step_id": t.why_steps[-1].pk}),
    "tracking:metrics": BUSINESS,
    "tracking:metric_add": BUSINESS,
    "tracking:metric_detail": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "metric_id": t.metric.pk}),
    "tracking:metric_edit": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "metric_id": t.metric.pk}),
    "tracking:metric_value_record": Sample(
        Scope.COMPANY, lambda t: {"company_id": t.company.pk, "metric_id": t.metric.pk}
    ),
    "tracking:goals": BUSINESS,
    "tracking:goal_add": BUSINESS,
    "tracking:goal_edit": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "goal_id": t.goal.pk}),
    "tracking:goal_delete": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "goal_id": t.goal.pk}),
    # toolkit (tracking/toolkit)
    **{
        f"toolkit:{name}": BUSINESS
        for name in (
            "funnel",
            "leak_constraint",
            "leak_hypothesis",
            "unit_economics",
            "inputs_save",
            "mapping_save",
            "inputs_pull",
            "snapshot_add",
            "compare",
        )
    },
    # hypotheses
    "hypotheses:board": BUSINESS,
    "hypotheses:new": BUSINESS,
    "hypotheses:archive": BUSINESS,
    "hypotheses:history": BUSINESS,
    "hypotheses:history_csv": BUSINESS,
    "hypotheses:return_hint": BUSINESS,  # the hypothesis form's suggested return (htmx)
    **{
        f"hypotheses:{name}": Sample(
            Scope.COMPANY, lambda t: {"company_id": t.company.pk, "hypothesis_id": t.hypothesis.pk}
        )
        for name in ("detail", "edit", "transition", "decide", "suggest", "archive_one")
    },
    "hypotheses:restore": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "hypothesis_id": t.archived.pk}),
    # customer interviews
    **{
        f"custdev:{name}": BUSINESS
        for name in (
            *("interviews", "interview_new", "scripts", "script_new", "mom_test", "synthesis"),
            *("insight_new", "threshold"),
        )
    },
    **{
        f"custdev:{name}": Sample(
            Scope.COMPANY,
            lambda t: {"company_id": t.company.pk, "interview_id": _custdev_sample(t, "interview").pk},
        )
        for name in ("interview_detail", "interview_edit")
    },
    **{
        f"custdev:{name}": Sample(
            Scope.COMPANY, lambda t: {"company_id": t.company.pk, "script_id": _custdev_sample(t, "script").pk}
        )
        for name in ("script_detail", "script_edit")
    },
    "hypotheses:from_insight": Sample(
        Scope.COMPANY, lambda t: {"company_id": t.company.pk, "insight_id": _custdev_sample(t, "insight").pk}
    ),
    "hypotheses:library": Sample(Scope.USER),
    "hypotheses:library_csv": Sample(Scope.USER),
    "hypotheses:tried_before": Sample(Scope.USER),
    # sprints
    **{
        f"sprints:{name}": sample
        for name, sample in {
            "list": BUSINESS,
            "new": BUSINESS,
            "results": BUSINESS,
            "session": BUSINESS,
            "session_step": BUSINESS,
            "session_constraint": BUSINESS,
            "session_plan": BUSINESS,
            "session_close": BUSINESS,
            "session_results": BUSINESS,
            "session_verdicts": BUSINESS,
            "session_metrics": BUSINESS,
            "session_start": BUSINESS,
            "session_plan_capacity": BUSINESS,
            "session_verdict": Sample(
                Scope.COMPANY, lambda t: {"company_id": t.company.pk, "hypothesis_id": t.hypothesis.pk}
            ),
            "board": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "sprint_id": t.planned_sprint.pk}),
            "report": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "sprint_id": t.active_sprint.pk}),
            "edit": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "sprint_id": t.planned_sprint.pk}),
            "start": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "sprint_id": t.planned_sprint.pk}),
            "delete": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "sprint_id": t.planned_sprint.pk}),
            "action_add": Sample(
                Scope.COMPANY, lambda t: {"company_id": t.company.pk, "sprint_id": t.planned_sprint.pk}
            ),
            "action_edit": Sample(
                Scope.COMPANY, lambda t: {"company_id": t.company.pk, "action_id": t.planned_action.pk}
            ),
            "action_delete": Sample(
                Scope.COMPANY, lambda t: {"company_id": t.company.pk, "action_id": t.planned_action.pk}
            ),
            "action_form": Sample(
                Scope.COMPANY, lambda t: {"company_id": t.company.pk, "action_id": t.planned_action.pk}
            ),
            "action_row": Sample(
                Scope.COMPANY, lambda t: {"company_id": t.company.pk, "action_id": t.planned_action.pk}
            ),
            "action_log": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "action_id": t.action.pk}),
            "action_log_form": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "action_id": t.action.pk}),
            "action_log_row": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "action_id": t.action.pk}),
            "hypothesis_search": BUSINESS,
            "outcomes": BUSINESS,
            "metric_log": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "metric_id": t.metric.pk}),
            "hypothesis_measure": Sample(
                Scope.COMPANY, lambda t: {"company_id": t.company.pk, "hypothesis_id": t.hypothesis.pk}
            ),
        }.items()
    },
    # Webhooks, reached from the settings page
    "tracking:webhooks": BUSINESS,
    "tracking:webhook": Sample(Scope.COMPANY, _webhook),
    "tracking:webhook_switch": Sample(Scope.COMPANY, _webhook),
    "tracking:webhook_rotate": Sample(Scope.COMPANY, _webhook),
    "tracking:webhook_test": Sample(Scope.COMPANY, _webhook),
    "tracking:webhook_delete": Sample(Scope.COMPANY, _webhook),
    # API tokens on the settings page, and the API itself
    "api_token_create": BUSINESS,
    "api_token_revoke": Sample(Scope.COMPANY, lambda t: {"company_id": t.company.pk, "token_id": _api_token(t).pk}),
    # The CRM feed on the settings page, and the inbound URLs a CRM posts to (its key and secret
    # sign it in: tests/crm/ checks that one business's never writes into another's metrics).
    "crm:settings": BUSINESS,
    "crm:mapping_add": BUSINESS,
    "crm:mapping": Sample(Scope.COMPANY, _crm_mapping),
    "crm:mapping_delete": Sample(Scope.COMPANY, _crm_mapping),
    "crm:inbound_amocrm": Sample(Scope.PUBLIC, lambda t: {"key": "sample-key", "secret": "sample-secret"}),
    "crm:inbound_bitrix24": Sample(Scope.PUBLIC, lambda t: {"key": "sample-key"}),
    "crm:inbound_hubspot": Sample(Scope.PUBLIC, lambda t: {"key": "sample-key"}),
    "api:api-root": Sample(Scope.PUBLIC),
    "api:openapi-json": Sample(Scope.PUBLIC),
    "api:openapi-view": Sample(Scope.PUBLIC),
    "api:unknown_path": Sample(Scope.PUBLIC, lambda t: {"rest": "no/such/path"}),
    "api:company": Sample(Scope.API),
    "api:members": Sample(Scope.API),
    "api:constraints": Sample(Scope.API),
    "api:constraint": Sample(Scope.API, lambda t: {"constraint_id": t.constraint.pk}),
    "api:metrics": Sample(Scope.API),
    "api:metric": Sample(Scope.API, lambda t: {"metric_id": t.metric.pk}),
    "api:metric_values": Sample(Scope.API, lambda t: {"metric_id": t.metric.pk}),
    "api:metric_value": Sample(Scope.API, lambda t: {"metric_id": t.metric.pk, "week": _last_week(t)}),
    "api:goals": Sample(Scope.API),
    "api:hypotheses": Sample(Scope.API),
    "api:hypothesis_create": Sample(Scope.API),
    "api:hypothesis": Sample(Scope.API, lambda t: {"hypothesis_id": t.hypothesis.pk}),
    "api:hypothesis_measured": Sample(Scope.API, _testing_hypothesis),
    "api:sprints": Sample(Scope.API),
    "api:sprint": Sample(Scope.API, lambda t: {"sprint_id": t.active_sprint.pk}),
    "api:sprint_report": Sample(Scope.API, _closed_sprint),
    "api:action_result": Sample(Scope.API, lambda t: {"action_id": t.action.pk}),
    # accounts and plumbing
    "login": Sample(Scope.PUBLIC),
    "login_two_factor": Sample(Scope.PUBLIC),
    "two_factor": Sample(Scope.USER),
    "two_factor_enable": Sample(Scope.USER),
    "two_factor_disable": Sample(Scope.USER),
    "two_factor_recovery_codes": Sample(Scope.USER),
    "logout": Sample(Scope.USER),
    "language_set": Sample(Scope.PUBLIC),
    "healthz": Sample(Scope.PUBLIC),
    "invitation_accept": Sample(Scope.PUBLIC, lambda t: {"uidb64": "MQ", "token": "not-a-token"}),
    "account_activity": Sample(Scope.USER),
    "telegram": Sample(Scope.USER),
    "telegram_link": Sample(Scope.USER),
    "telegram_unlink": Sample(Scope.USER),
    "telegram_channels": Sample(Scope.USER),
    # Telegram's updates: the bot's secret header, not a session, lets one in (else 403).
    "telegram_webhook": Sample(Scope.PUBLIC),
    "password_change": Sample(Scope.USER),
    "password_change_done": Sample(Scope.USER),
    "password_reset": Sample(Scope.PUBLIC),
    "password_reset_done": Sample(Scope.PUBLIC),
    "password_reset_complete": Sample(Scope.PUBLIC),
    "password_reset_confirm": Sample(Scope.PUBLIC, lambda t: {"uidb64": "MQ", "token": "not-a-token"}),
}

# Staff-only Django admin: it answers with its own sign-in, tested in test_tenant_isolation.
EXEMPT_NAMESPACES = {"admin"}


def all_url_names() -> list[str]:
    names: list[str] = []

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                if inner in EXEMPT_NAMESPACES:
                    continue
                nested = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else inner
                walk(pattern.url_patterns, nested)
            elif isinstance(pattern, URLPattern):
                if pattern.name is None:
                    raise AssertionError(f"URL pattern {pattern.pattern} has no name")
                names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names
