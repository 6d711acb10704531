"""The role table of DESIGN.md §4, written out here independently of tracking/roles.py,
drives every unsafe view × every role → allowed, or 403 with a message and no change."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from hypotheses.models import Hypothesis, HypothesisEvent
from sprints.models import Action as SprintAction
from sprints.models import Review, Sprint
from tests import clock
from tests.url_samples import SAMPLES, Scope
from tracking.api.crm.models import CrmConnection, CrmStageMapping
from tracking.api.models import ApiToken
from tracking.custdev.models import CustdevSettings, Insight, Interview, Script
from tracking.models import (
    Company,
    Constraint,
    Goal,
    Membership,
    Metric,
    MetricValue,
    OutboxMessage,
    WebhookSubscription,
    WhyStep,
)
from tracking.toolkit.models import ConversionMetric, Snapshot, UnitEconomics

pytestmark = pytest.mark.django_db

ROLES = ("tracker", "entrepreneur", "team_lead", "member")
MANAGERS = {"tracker", "entrepreneur"}  # "company settings, members, invitations"
PLANNERS = {"tracker", "entrepreneur", "team_lead"}  # "constraint, metrics, goals, toolkit: edit"


def _settings_data(team):
    return {
        "name": "Renamed",
        "timezone": "Europe/Berlin",
        "currency": "EUR",
        "review_weekday": 2,
        "review_time": "11:00",
        "sprint_length_days": 7,
        "reminder_lead_hours": 24,
        "language": "en",
    }


def _member_add_data(team):
    return {"email": "new.person@example.test", "role": "member", "weekly_capacity_hours": "5"}


def _member_update_data(team):
    prefix = f"m{team.other_member.pk}"
    return {f"{prefix}-role": "team_lead", f"{prefix}-weekly_capacity_hours": "12.5"}


def _company_state(team):
    """Everything a refused request must leave as it was."""
    company = Company.objects.get(pk=team.company.pk)
    rows = [
        Membership.objects.filter(company=team.company).values_list("user__email", "role", "weekly_capacity_hours"),
        Constraint.objects.filter(company=team.company).values_list("title", "status", "area"),
        WhyStep.objects.filter(constraint__company=team.company).values_list("answer", "position", "is_root_cause"),
        Metric.objects.filter(company=team.company).values_list("name", "target", "is_key"),
        MetricValue.objects.filter(metric__company=team.company).values_list("week_start", "value"),
        Goal.objects.filter(company=team.company).values_list("title", "target", "due_on"),
        Hypothesis.objects.filter(company=team.company).values_list(
            "title", "status", "verdict", "archived_at", "measured_value"
        ),
        Sprint.objects.filter(company=team.company).values_list("number", "status", "goal", "archived_at"),
        SprintAction.objects.filter(sprint__company=team.company).values_list("title", "status", "estimate_hours"),
        Review.objects.filter(sprint__company=team.company).values_list("step", "constraint_confirmed"),
        HypothesisEvent.objects.filter(hypothesis__company=team.company).values_list("pk"),
        Interview.objects.filter(company=team.company).values_list("interviewee_name", "interviewee_role", "story"),
        Script.objects.filter(company=team.company).values_list("title", "questions"),
        CustdevSettings.objects.filter(company=team.company).values_list("insight_threshold"),
        Insight.objects.filter(company=team.company).values_list("sentence"),
        UnitEconomics.objects.filter(company=team.company).values_list("ua", "c1", "c1_metric"),
        Snapshot.objects.filter(company=team.company).values_list("label", "kind"),
        ConversionMetric.objects.filter(company=team.company).values_list("metric__name"),
        ApiToken.objects.filter(company=team.company).values_list("name", "revoked_at"),
        WebhookSubscription.objects.filter(company=team.company).values_list(
            "url", "events", "is_active", "secret", "secret_rotated_at"
        ),
        OutboxMessage.objects.filter(channel="webhook").values_list("key"),
        CrmConnection.objects.filter(company=team.company).values_list("provider", "secret"),
        CrmStageMapping.objects.filter(connection__company=team.company).values_list("pipeline_id", "stage_id"),
    ]
    return (company.name, company.timezone, *[sorted(map(str, r)) for r in rows])


def _step(team, index):
    return WhyStep.objects.filter(pk=team.why_steps[index].pk).first()


def _metric_data(team):
    return {"name": "Leads from ads", "unit": "leads", "higher_is_better": "on", "target": "50"}


def _goal_data(team):
    year = team.goal.starts_on.year
    return {
        "title": "Q1: 30 leads a week",
        "horizon": "quarter",
        "parent": team.goal.pk,
        "metric": team.metric.pk,
        "target": "30",
        "starts_on": f"{year}-01-01",
        "due_on": f"{year}-03-31",
    }


def _crm_mapping_add_data(team):
    mapping = CrmStageMapping.objects.get(pk=SAMPLES["crm:mapping"].kwargs(team)["mapping_id"])
    return {"pipeline_id": "", "stage_id": "WON", "metric": mapping.metric_id}


def _crm_mapping_data(team):
    mapping = CrmStageMapping.objects.get(connection__company=team.company)
    return {
        f"m{mapping.pk}-pipeline_id": "",
        f"m{mapping.pk}-stage_id": "143",
        f"m{mapping.pk}-metric": mapping.metric_id,
    }


def _company_has(model, **lookups):
    """What an allowed request must have changed: the team's business has a `model` row with `lookups`."""
    return lambda team: model.objects.filter(company=team.company, **lookups).exists()


# url name → (who may, POST data, what an allowed request must have changed)
ROLE_TABLE = {
    "tracking:company_settings": (
        MANAGERS,
        _settings_data,
        lambda team: Company.objects.get(pk=team.company.pk).name == "Renamed",
    ),
    "tracking:member_add": (
        MANAGERS,
        _member_add_data,
        lambda team: team.company.memberships.filter(user__email="new.person@example.test").exists(),
    ),
    "tracking:member_update": (
        MANAGERS,
        _member_update_data,
        lambda team: Membership.objects.get(pk=team.other_member.pk).weekly_capacity_hours == Decimal("12.5"),
    ),
    "tracking:member_remove": (
        MANAGERS,
        lambda team: {},
        lambda team: not Membership.objects.filter(pk=team.other_member.pk).exists(),
    ),
    "api_token_create": (
        MANAGERS,
        lambda team: {"name": "CRM sync", "scopes": ["read", "metrics:write"], "expires_in": "30"},
        _company_has(ApiToken, name="CRM sync"),
    ),
    "api_token_revoke": (
        MANAGERS,
        lambda team: {},
        _company_has(ApiToken, revoked_at__isnull=False),
    ),
    "tracking:webhooks": (
        MANAGERS,
        lambda team: {"url": "https://crm.example.com/in", "events": ["sprint.closed", "metric.value_recorded"]},
        _company_has(WebhookSubscription, url="https://crm.example.com/in"),
    ),
    "tracking:webhook": (
        MANAGERS,
        lambda team: {"url": "https://hooks.example.com/changed", "events": ["hypothesis.decided"]},
        _company_has(WebhookSubscription, events=["hypothesis.decided"]),
    ),
    "tracking:webhook_switch": (
        MANAGERS,
        lambda team: {"on": "0"},
        _company_has(WebhookSubscription, is_active=False),
    ),
    "tracking:webhook_rotate": (
        MANAGERS,
        lambda team: {},
        _company_has(WebhookSubscription, secret_rotated_at__isnull=False),
    ),
    "tracking:webhook_test": (
        MANAGERS,
        lambda team: {},
        lambda team: OutboxMessage.objects.filter(channel="webhook", subject="webhook.test").exists(),
    ),
    "tracking:webhook_delete": (
        MANAGERS,
        lambda team: {},
        lambda team: not WebhookSubscription.objects.filter(company=team.company).exists(),
    ),
    "crm:settings": (
        MANAGERS,
        lambda team: {"provider": "bitrix24", "secret": "wn5f7cd0ht2ebxs1o8u0y9q4rw3kcqgf"},
        _company_has(CrmConnection, provider="bitrix24"),
    ),
    "crm:mapping_add": (
        MANAGERS,
        _crm_mapping_add_data,
        lambda team: CrmStageMapping.objects.filter(connection__company=team.company, stage_id="WON").exists(),
    ),
    "crm:mapping": (
        MANAGERS,
        _crm_mapping_data,
        lambda team: CrmStageMapping.objects.filter(connection__company=team.company, stage_id="143").exists(),
    ),
    "crm:mapping_delete": (
        MANAGERS,
        lambda team: {},
        lambda team: not CrmStageMapping.objects.filter(connection__company=team.company).exists(),
    ),
    "tracking:constraint_new": (
        PLANNERS,
        lambda team: {
            "title": "Weak conversion",
            "area": "conversion",
            "previous_outcome": "resolved",
            "previous_note": "Leads are marked by source",
            "expected_previous": team.constraint.pk,
        },
        lambda team: Constraint.objects.get(company=team.company, status="active").title == "Weak conversion",
    ),
    "tracking:constraint_edit": (
        PLANNERS,
        lambda team: {"title": "No inbound leads at all", "area": "leads"},
        lambda team: Constraint.objects.get(pk=team.constraint.pk).title == "No inbound leads at all",
    ),
    "tracking:why_add": (
        PLANNERS,
        lambda team: {"answer": "We do not know why customers buy"},
        lambda team: team.constraint.why_steps.filter(answer="We do not know why customers buy").exists(),
    ),
    "tracking:why_edit": (
        PLANNERS,
        lambda team: {f"s{team.why_steps[0].pk}-answer": "The ad campaign is set up badly"},
        lambda team: _step(team, 0).answer == "The ad campaign is set up badly",
    ),
    "tracking:why_move": (
        PLANNERS,
        lambda team: {"direction": "down"},
        lambda team: _step(team, 0).position == 2,
    ),
    "tracking:why_delete": (
        PLANNERS,
        lambda team: {},
        lambda team: _step(team, 0) is None,
    ),
    "tracking:why_root": (
        PLANNERS,
        lambda team: {},
        lambda team: _step(team, -1).is_root_cause,
    ),
    "tracking:metric_add": (
        PLANNERS,
        _metric_data,
        _company_has(Metric, name="Leads from ads"),
    ),
    "tracking:metric_edit": (
        PLANNERS,
        lambda team: {**_metric_data(team), "name": "Inbound leads"},
        lambda team: Metric.objects.get(pk=team.metric.pk).name == "Inbound leads",
    ),
    "tracking:metric_value_record": (
        PLANNERS,
        lambda team: {"value": "42.5"},
        lambda team: team.metric.values.filter(value=Decimal("42.5")).exists(),
    ),
    "tracking:goal_add": (
        PLANNERS,
        _goal_data,
        _company_has(Goal, title="Q1: 30 leads a week"),
    ),
    "tracking:goal_edit": (
        PLANNERS,
        lambda team: {
            **_goal_data(team),
            "title": "Double the leads",
            "horizon": "year",
            "parent": "",
            "starts_on": team.goal.starts_on,
            "due_on": team.goal.due_on,
        },
        lambda team: Goal.objects.get(pk=team.goal.pk).title == "Double the leads",
    ),
    "tracking:goal_delete": (
        PLANNERS,
        lambda team: {},
        lambda team: not Goal.objects.filter(pk=team.goal.pk).exists(),
    ),
}

ROLE_TABLE.update(
    {
        "hypotheses:new": (
            set(ROLES),  # "hypotheses: create only" for a member
            lambda team: {
                "title": "Mark leads by source",
                "statement": "If sales call hot leads first, conversion grows",
                "kind": "innovation",
                "impact": 7,
                "confidence": 6,
                "ease": 9,
            },
            _company_has(Hypothesis, title="Mark leads by source"),
        ),
        "hypotheses:edit": (
            PLANNERS,
            lambda team: {
                "title": "Guarantee, in a PDF",
                "statement": team.hypothesis.statement,
                "kind": "innovation",
                "metric": team.metric.pk,
                "baseline": "2",
                "expected": "×1.5",
                "impact": 8,
                "confidence": 5,
                "ease": 9,
                "version": team.hypothesis.version,
            },
            lambda team: Hypothesis.objects.get(pk=team.hypothesis.pk).title == "Guarantee, in a PDF",
        ),
        "hypotheses:transition": (
            PLANNERS,
            lambda team: {"to": "testing"},
            lambda team: Hypothesis.objects.get(pk=team.hypothesis.pk).status == "testing",
        ),
        "hypotheses:decide": (
            PLANNERS,
            lambda team: (
                Hypothesis.objects.filter(pk=team.hypothesis.pk).update(
                    status="testing", testing_started_at=clock.now()
                )
                and {"verdict": "confirmed", "measured": "3.2", "note": "The PDF offer worked"}
            ),
            lambda team: Hypothesis.objects.get(pk=team.hypothesis.pk).verdict == "confirmed",
        ),
        "hypotheses:archive_one": (
            PLANNERS,
            lambda team: {},
            lambda team: Hypothesis.objects.get(pk=team.hypothesis.pk).archived_at is not None,
        ),
        "hypotheses:restore": (
            PLANNERS,
            lambda team: {},
            lambda team: Hypothesis.objects.get(pk=team.archived.pk).archived_at is None,
        ),
    }
)


def _close_active(team):
    Sprint.objects.filter(pk=team.active_sprint.pk).update(status="closed")


def _testing(team):
    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(status="testing", testing_started_at=clock.now())


def _future(days):
    return (clock.today() + timedelta(days=days)).isoformat()


TRACKER = {"tracker"}

ROLE_TABLE.update(
    {
        "sprints:new": (
            PLANNERS,
            lambda team: {"starts_on": _future(20), "ends_on": _future(26), "goal": "Test the guarantee"},
            _company_has(Sprint, goal="Test the guarantee"),
        ),
        "sprints:edit": (
            PLANNERS,
            lambda team: {
                "starts_on": team.planned_sprint.starts_on,
                "ends_on": team.planned_sprint.ends_on,
                "goal": "Call hot leads first",
            },
            lambda team: Sprint.objects.get(pk=team.planned_sprint.pk).goal == "Call hot leads first",
        ),
        "sprints:start": (
            {"tracker", "entrepreneur"},
            lambda team: _close_active(team) or {},
            lambda team: Sprint.objects.get(pk=team.planned_sprint.pk).status == "active",
        ),
        "sprints:delete": (
            PLANNERS,
            lambda team: {},
            lambda team: Sprint.objects.get(pk=team.planned_sprint.pk).archived_at is not None,
        ),
        "sprints:action_add": (
            PLANNERS,
            lambda team: {"title": "Mark leads by source", "owner": team.member.pk, "estimate_hours": "1.5"},
            lambda team: team.planned_sprint.actions.filter(title="Mark leads by source").exists(),
        ),
        "sprints:action_edit": (
            PLANNERS,
            lambda team: {
                f"a{team.planned_action.pk}-title": "Call the hottest leads first",
                f"a{team.planned_action.pk}-owner": team.team_lead.pk,
                f"a{team.planned_action.pk}-estimate_hours": "3",
                f"a{team.planned_action.pk}-version": team.planned_action.version,
            },
            lambda team: SprintAction.objects.get(pk=team.planned_action.pk).title == "Call the hottest leads first",
        ),
        "sprints:action_delete": (
            PLANNERS,
            lambda team: {},
            lambda team: not SprintAction.objects.filter(pk=team.planned_action.pk).exists(),
        ),
        "sprints:action_log": (
            set(ROLES),  # the member owns this action: "log results: own actions"
            lambda team: {
                f"l{team.action.pk}-status": "done",
                f"l{team.action.pk}-result_note": "Sent to 40 people",
                f"l{team.action.pk}-version": team.action.version,
            },
            lambda team: SprintAction.objects.get(pk=team.action.pk).status == "done",
        ),
        "sprints:metric_log": (
            PLANNERS,
            lambda team: {f"m{team.metric.pk}-value": "77"},
            lambda team: team.metric.values.filter(value=77).exists(),
        ),
        "sprints:hypothesis_measure": (
            PLANNERS,
            lambda team: _testing(team) or {f"h{team.hypothesis.pk}-measured": "2.7"},
            lambda team: Hypothesis.objects.get(pk=team.hypothesis.pk).measured_value == Decimal("2.7"),
        ),
        "sprints:session_step": (
            PLANNERS,
            lambda team: {"step": "metrics"},
            lambda team: Review.objects.filter(sprint=team.active_sprint, step="metrics").exists(),
        ),
        "sprints:session_constraint": (
            PLANNERS,
            lambda team: {"still_main": "yes"},
            lambda team: Review.objects.filter(sprint=team.active_sprint, constraint_confirmed=True).exists(),
        ),
        "sprints:session_plan": (
            PLANNERS,
            lambda team: {"carry": [team.action.pk]},
            lambda team: SprintAction.objects.filter(carried_over_from=team.action).exists(),
        ),
        "sprints:session_verdict": (
            PLANNERS,
            lambda team: (
                _testing(team)
                or {
                    f"v{team.hypothesis.pk}-decision": "confirmed",
                    f"v{team.hypothesis.pk}-measured": "3.2",
                    f"v{team.hypothesis.pk}-note": "The PDF offer worked",
                }
            ),
            lambda team: Hypothesis.objects.get(pk=team.hypothesis.pk).verdict == "confirmed",
        ),
        "sprints:session_results": (
            PLANNERS,
            lambda team: {
                f"l{team.action.pk}-status": "done",
                f"l{team.action.pk}-result_note": "Sent to 40 people",
                f"l{team.action.pk}-why_not_note": "",
                f"l{team.action.pk}-version": team.action.version,
            },
            lambda team: SprintAction.objects.get(pk=team.action.pk).status == "done",
        ),
        "sprints:session_verdicts": (
            PLANNERS,
            lambda team: (
                _testing(team)
                or {
                    f"v{team.hypothesis.pk}-decision": "refuted",
                    f"v{team.hypothesis.pk}-measured": "1.1",
                    f"v{team.hypothesis.pk}-note": "Nobody called",
                }
            ),
            lambda team: Hypothesis.objects.get(pk=team.hypothesis.pk).verdict == "refuted",
        ),
        "sprints:session_metrics": (
            PLANNERS,
            lambda team: {f"m{team.metric.pk}-value": "78"},
            lambda team: team.metric.values.filter(value=78).exists(),
        ),
        "sprints:session_start": (
            {"tracker", "entrepreneur"},
            lambda team: _close_active(team) or {"closed": team.active_sprint.pk},
            lambda team: Sprint.objects.get(pk=team.planned_sprint.pk).status == "active",
        ),
        "sprints:session_close": (
            TRACKER,
            lambda team: (
                SprintAction.objects.filter(pk=team.action.pk).update(status="done")
                and {"what_worked": "The PDF offer", "what_to_fix": "Start earlier"}
            ),
            lambda team: Sprint.objects.get(pk=team.active_sprint.pk).status == "closed",
        ),
    }
)


def _funnel(team):
    """A leaking funnel: measurements → contracts at 20 % against its best 40 %."""
    from tests.toolkit.conftest import build_funnel

    return build_funnel(team.company, {"leads": [40] * 12, "measurements": [20] * 12, "contracts": [8] * 8 + [4] * 4})


UE_INPUTS = {"period": "month", "ua": "1000", "c1": "5", "avg_price": "2000", "cogs": "800", "apc": "1.5", "cpa": "30"}


def _economics(team):
    return UnitEconomics.objects.create(
        company=team.company, ua=1000, c1=5, avg_price=2000, cogs=800, apc=Decimal("1.5"), cpa=30
    )


ROLE_TABLE.update(
    {
        "toolkit:leak_constraint": (
            PLANNERS,
            lambda team: _funnel(team) and {"window": 4, "expected_previous": team.constraint.pk},
            lambda team: Constraint.objects.get(company=team.company, status="active").title.startswith(
                "Weak conversion"
            ),
        ),
        "toolkit:leak_hypothesis": (
            PLANNERS,
            lambda team: {"stage": _funnel(team)[2].pk},
            _company_has(ConversionMetric),
        ),
        "toolkit:inputs_save": (
            PLANNERS,
            lambda team: UE_INPUTS,
            _company_has(UnitEconomics, ua=1000),
        ),
        "toolkit:mapping_save": (
            PLANNERS,
            lambda team: _economics(team) and {"c1_metric": team.metric.pk},
            lambda team: UnitEconomics.objects.get(company=team.company).c1_metric_id == team.metric.pk,
        ),
        "toolkit:inputs_pull": (
            PLANNERS,
            lambda team: UnitEconomics.objects.filter(pk=_economics(team).pk).update(apc_metric=team.metric) and {},
            lambda team: UnitEconomics.objects.get(company=team.company).apc == 5,
        ),
        "toolkit:snapshot_add": (
            PLANNERS,
            lambda team: _economics(team) and {"kind": "snapshot", "label": "Before the guarantee"},
            _company_has(Snapshot, label="Before the guarantee"),
        ),
    }
)


def _interview_data(team, **extra):
    return {
        "held_on": clock.today().isoformat(),
        "kind": "problem",
        "segment": "Families renovating a flat",
        "interviewee_role": "Homeowner who measured twice",
        "interviewer": team.member.pk,
        "consent": "on",
        "story": "The measurer came a week later",
        "q-TOTAL_FORMS": "1",
        "q-INITIAL_FORMS": "0",
        "q-0-quote": "Same day or I go elsewhere",
        "q-0-tags": "measure same day",
        **extra,
    }


def _heard_by_three(team):
    from tests.custdev.factories import InterviewFactory, TagFactory, quote

    tag = TagFactory(company=team.company, name="measure same day")
    for n in range(3):
        quote(InterviewFactory(company=team.company, interviewee_name=f"Person {n}"), "Same day, please", tag)
    return tag


def _script_data(team):
    return {"title": "Kitchens", "kind": "problem", "goal": "Why they buy", "segment": "Families", "questions": "Who?"}


# Customer interviews: every member logs an interview; its author (here the tracker),
# the tracker and the entrepreneur edit it; scripts and the threshold are toolkit (planners);
# insights and hypotheses from them follow the hypothesis rules (everyone creates).
ROLE_TABLE.update(
    {
        "custdev:interview_new": (
            set(ROLES),
            _interview_data,
            lambda team: Interview.objects.filter(interviewee_role="Homeowner who measured twice").exists(),
        ),
        "custdev:interview_edit": (
            MANAGERS,
            lambda team: _interview_data(team, interviewee_name="Irina"),
            _company_has(Interview, interviewee_name="Irina"),
        ),
        "custdev:script_new": (
            PLANNERS,
            _script_data,
            _company_has(Script, title="Kitchens"),
        ),
        "custdev:script_edit": (
            PLANNERS,
            _script_data,
            _company_has(Script, title="Kitchens"),
        ),
        "custdev:threshold": (
            PLANNERS,
            lambda team: {"insight_threshold": 4},
            _company_has(CustdevSettings, insight_threshold=4),
        ),
        "custdev:insight_new": (
            set(ROLES),
            lambda team: {"tag": _heard_by_three(team).pk, "sentence": "They choose by the measuring date"},
            _company_has(Insight, sentence__startswith="They choose"),
        ),
        "hypotheses:from_insight": (
            set(ROLES),
            lambda team: {},
            _company_has(Hypothesis, insight__isnull=False),
        ),
    }
)

DENIAL_TEXT = {
    frozenset(TRACKER): "Only a tracker can",
    frozenset(MANAGERS): "Only a tracker or entrepreneur can",
    frozenset(PLANNERS): "Only a tracker, entrepreneur or team lead can",
}


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(ROLE_TABLE))
def test_role_table(url_name, role, htmx, team, client):
    allowed_roles, data, changed = ROLE_TABLE[url_name]
    client.force_login(team.by_role(role).user)
    url = reverse(url_name, kwargs=SAMPLES[url_name].kwargs(team))
    payload = data(team)  # may prepare the sample (e.g. put the hypothesis under test)
    before = _company_state(team)
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(url, payload, headers=headers)

    if role in allowed_roles:
        assert response.status_code in {200, 302}, response.content[:500]
        assert changed(team), f"{role} was allowed {url_name} but nothing changed"
    else:
        assert response.status_code == 403
        assert DENIAL_TEXT[frozenset(allowed_roles)] in response.content.decode()
        assert _company_state(team) == before


def test_every_unsafe_company_view_is_in_the_role_table(team, client):
    """A company view that accepts POST and is not in ROLE_TABLE fails here."""
    client.force_login(team.tracker.user)
    unsafe = set()
    for name, sample in SAMPLES.items():
        if sample.scope is not Scope.COMPANY:
            continue
        if client.post(reverse(name, kwargs=sample.kwargs(team))).status_code != 405:
            unsafe.add(name)
        # A POST may have removed the sample objects: bring them back.
        for obj in (
            team.other_member,
            team.goal,
            *team.why_steps,
            team.hypothesis,
            team.archived,
            team.planned_sprint,
            team.planned_action,
        ):
            obj.save()
    assert unsafe == set(ROLE_TABLE), unsafe ^ set(ROLE_TABLE)


def test_reading_pages_is_open_to_every_role(team, client):
    pages = [name for name, sample in SAMPLES.items() if sample.scope is Scope.COMPANY and name not in ROLE_TABLE]
    assert len(pages) >= 6
    for role in ROLES:
        client.force_login(team.by_role(role).user)
        for name in pages:
            assert client.get(reverse(name, kwargs=SAMPLES[name].kwargs(team))).status_code == 200, (role, name)


# --- Who gives the tracker role ---------------------------------------------------------------
# Only a tracker grants or removes the tracker role (closing sprints and overriding capacity
# are theirs); the other managers still manage everyone else. Nobody changes their own role.


def _second_tracker(team):
    from tests.factories import MembershipFactory

    return MembershipFactory(company=team.company, role="tracker")


def _row_data(member, role):
    return {f"m{member.pk}-role": role, f"m{member.pk}-weekly_capacity_hours": "8"}


# what → (url name, the member it acts on, POST data, what an allowed request must have changed)
TRACKER_ROLE_TABLE = {
    "make a member a tracker": (
        "tracking:member_update",
        lambda team: team.other_member,
        lambda member: _row_data(member, "tracker"),
        lambda member: Membership.objects.get(pk=member.pk).role == "tracker",
    ),
    "make a tracker a member": (
        "tracking:member_update",
        _second_tracker,
        lambda member: _row_data(member, "member"),
        lambda member: Membership.objects.get(pk=member.pk).role == "member",
    ),
    "remove a tracker": (
        "tracking:member_remove",
        _second_tracker,
        lambda member: {},
        lambda member: not Membership.objects.filter(pk=member.pk).exists(),
    ),
    "invite a tracker": (
        "tracking:member_add",
        lambda team: None,
        lambda member: {"email": "coach@example.test", "role": "tracker", "weekly_capacity_hours": "5"},
        lambda member: Membership.objects.filter(user__email="coach@example.test", role="tracker").exists(),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("what", sorted(TRACKER_ROLE_TABLE))
def test_only_a_tracker_gives_or_takes_the_tracker_role(what, role, team, client):
    url_name, target, data, changed = TRACKER_ROLE_TABLE[what]
    member = target(team)
    kwargs = {"company_id": team.company.pk} | ({"membership_id": member.pk} if member else {})
    client.force_login(team.by_role(role).user)
    before = _company_state(team)

    response = client.post(reverse(url_name, kwargs=kwargs), data(member))

    if role == "tracker":
        assert response.status_code in {200, 302} and changed(member), what
    else:
        assert response.status_code == 403
        expected = DENIAL_TEXT[frozenset(TRACKER if role in MANAGERS else MANAGERS)]
        assert expected in response.content.decode()
        assert _company_state(team) == before


@pytest.mark.parametrize("role", ROLES)
def test_nobody_changes_their_own_role(role, team, client):
    """The self-promotion of the report: an entrepreneur making themself tracker."""
    me = team.by_role(role)
    client.force_login(me.user)
    before = _company_state(team)
    new_role = "member" if role == "tracker" else "tracker"
    response = client.post(reverse("tracking:member_update", args=[team.company.pk, me.pk]), _row_data(me, new_role))
    if role in MANAGERS:
        assert response.status_code == 200
        assert "Nobody changes their own role" in response.content.decode()
    else:
        assert response.status_code == 403
    assert _company_state(team) == before
