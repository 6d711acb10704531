from django.urls import path

from .views import board, outcomes, report, results, session

app_name = "sprints"

B = "b/<int:company_id>/"
S = B + "sprints/<int:sprint_id>/"

urlpatterns = [
    path(B + "sprints/", board.sprint_list, name="list"),
    path(B + "sprints/new/", board.sprint_new, name="new"),
    path(S, board.board, name="board"),
    path(S + "edit/", board.sprint_edit, name="edit"),
    path(S + "start/", board.sprint_start, name="start"),
    path(S + "delete/", board.sprint_delete, name="delete"),
    path(S + "report/", report.report, name="report"),
    path(S + "actions/", board.action_add, name="action_add"),
    path(B + "actions/<int:action_id>/", board.action_edit, name="action_edit"),
    path(B + "actions/<int:action_id>/edit/", board.action_form, name="action_form"),
    path(B + "actions/<int:action_id>/row/", board.action_row, name="action_row"),
    path(B + "actions/<int:action_id>/delete/", board.action_delete, name="action_delete"),
    path(B + "actions/<int:action_id>/log/", results.action_log, name="action_log"),
    path(B + "actions/<int:action_id>/log/edit/", results.action_log_form, name="action_log_form"),
    path(B + "actions/<int:action_id>/log/row/", results.action_log_row, name="action_log_row"),
    path(B + "hypotheses/search/", board.hypothesis_search, name="hypothesis_search"),
    path(B + "results/", results.results, name="results"),
    path(B + "results/metrics/<int:metric_id>/", results.metric_log, name="metric_log"),
    path(B + "results/hypotheses/<int:hypothesis_id>/", results.hypothesis_measure, name="hypothesis_measure"),
    path(B + "outcomes/", outcomes.outcomes, name="outcomes"),
    path(B + "session/", session.session, name="session"),
    path(B + "session/step/", session.session_step, name="session_step"),
    path(B + "session/results/", session.session_results, name="session_results"),
    path(B + "session/verdicts/", session.session_verdicts, name="session_verdicts"),
    path(B + "session/verdicts/<int:hypothesis_id>/", session.session_verdict, name="session_verdict"),
    path(B + "session/metrics/", session.session_metrics, name="session_metrics"),
    path(B + "session/constraint/", session.session_constraint, name="session_constraint"),
    path(B + "session/plan/", session.session_plan, name="session_plan"),
    path(B + "session/plan/capacity/", session.session_plan_capacity, name="session_plan_capacity"),
    path(B + "session/close/", session.session_close, name="session_close"),
    path(B + "session/start/", session.session_start, name="session_start"),
]
