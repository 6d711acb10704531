"""When a business's data version moves in production: at commit (tracking/migrations/0007).

The rest of the suite runs with `page_cache.bump = statement` (a test's transaction never
commits). Here each connection is switched to what production does, and transactions commit.
"""

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.urls import reverse

from sprints.models import Action
from tests.conftest import make_team
from tests.sprints.test_rows import HX, _edit_data
from tracking.models import Company

pytestmark = pytest.mark.django_db(transaction=True)


def at_commit(mode: str = "commit") -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('page_cache.bump', %s, false)", [mode])


def version(company) -> int:
    return Company.objects.values_list("data_version", flat=True).get(pk=company.pk)


def test_a_write_moves_the_version_when_it_commits_and_a_rollback_moves_nothing():
    team, other = make_team("Alpha Bakery"), make_team("Zeta Holdings")
    at_commit()
    before, other_before = version(team.company), version(other.company)

    with transaction.atomic():
        Action.objects.filter(pk=team.action.pk).update(title="Called the hot leads")
        Action.objects.filter(pk=team.planned_action.pk).update(title="Second statement, same business")
        assert version(team.company) == before, "moved before the commit"
    assert version(team.company) > before
    assert version(other.company) == other_before

    moved = version(team.company)
    with pytest.raises(RuntimeError), transaction.atomic():
        Action.objects.filter(pk=team.action.pk).update(title="Never saved")
        raise RuntimeError
    assert version(team.company) == moved

    with transaction.atomic():
        Action.objects.filter(pk=team.action.pk).update(title="Kept")
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back
            Action.objects.filter(pk=other.action.pk).update(title="Never saved either")
            raise RuntimeError
    assert version(team.company) > moved
    assert version(other.company) == other_before


def _opposite_orders(mode: str) -> list[str]:
    """Two transactions of one business, as a session close and a result logged at the same
    moment: the first writes one action, then the one the second has locked and written.
    What each ended with ('committed' or the error)."""
    team = make_team("Alpha Bakery")
    first, second = team.action.pk, team.planned_action.pk
    x_written = threading.Event()
    outcomes: list[str] = []

    def run(work) -> None:
        try:
            at_commit(mode)
            with transaction.atomic():
                work()
            outcomes.append("committed")
        except OperationalError as error:
            outcomes.append(type(error.__cause__ or error).__name__)
        finally:
            connections.close_all()

    def closing() -> None:
        Action.objects.filter(pk=first).update(title="closing: first")
        x_written.wait(10)
        Action.objects.filter(pk=second).update(title="closing: second")  # waits for the other

    def logging() -> None:
        Action.objects.select_for_update().get(pk=second)
        x_written.set()
        Action.objects.filter(pk=second).update(title="logged")
        threading.Event().wait(0.3)  # hold the lock while the other asks for it

    threads = [threading.Thread(target=run, args=(work,)) for work in (closing, logging)]
    threads[0].start()
    threading.Event().wait(0.2)  # the first has written before the second begins
    threads[1].start()
    for thread in threads:
        thread.join(30)
    return sorted(outcomes)


def test_writes_in_opposite_orders_wait_for_each_other_and_both_commit():
    assert _opposite_orders("commit") == ["committed", "committed"]
    assert set(Action.objects.values_list("title", flat=True)) >= {"closing: first", "closing: second"}


def test_moving_the_version_at_each_statement_would_deadlock_them():
    """Why the versions move at commit: at each statement both hold what the other waits for."""
    assert _opposite_orders("statement") == ["DeadlockDetected", "committed"]


def test_a_board_kept_before_a_saved_edit_shows_the_edit_next_time(client):
    """Through the views, with versions moving at commit (no test transaction around them:
    each request's writes commit as in production)."""
    team = make_team("Alpha Bakery")
    at_commit()
    client.force_login(team.tracker.user)
    board = reverse("sprints:board", args=[team.company.pk, team.planned_sprint.pk])
    assert team.planned_action.title in client.get(board).content.decode()
    assert team.planned_action.title in client.get(board).content.decode()  # kept

    edit = reverse("sprints:action_edit", args=[team.company.pk, team.planned_action.pk])
    assert client.post(edit, _edit_data(team.planned_action, title="Call them at ten"), headers=HX).status_code == 200
    page = client.get(board).content.decode()
    assert "Call them at ten" in page and team.planned_action.title not in page
