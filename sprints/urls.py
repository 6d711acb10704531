from django.urls import path

from . import views

app_name = "sprints"

B = "b/<int:company_id>/"
S = B + "sprints/<int:sprint_id>/"

urlpatterns = [
    path(B + "sprints/", views.sprint_list, name="list"),
    path(B + "sprints/new/", views.sprint_new, name="new"),
    path(S, views.board, name="board"),
    path(S + "edit/", views.sprint_edit, name="edit"),
    path(S + "start/", views.sprint_start, name="start"),
    path(S + "delete/", views.sprint_delete, name="delete"),
    path(S + "report/", views.report, name="report"),
    path(S + "actions/", views.action_add, name="action_add"),
    path(B + "actions/<int:action_id>/", views.action_edit, name="action_edit"),
    path(B + "actions/<int:action_id>/delete/", views.action_delete, name="action_delete"),
    path(B + "actions/<int:action_id>/log/", views.action_log, name="action_log"),
    path(B + "results/", views.results, name="results"),
    path(B + "results/metrics/<int:metric_id>/", views.metric_log, name="metric_log"),
    path(B + "results/hypotheses/<int:hypothesis_id>/", views.hypothesis_measure, name="hypothesis_measure"),
    path(B + "session/", views.session, name="session"),
    path(B + "session/step/", views.session_step, name="session_step"),
    path(B + "session/verdicts/<int:hypothesis_id>/", views.session_verdict, name="session_verdict"),
    path(B + "session/constraint/", views.session_constraint, name="session_constraint"),
    path(B + "session/plan/", views.session_plan, name="session_plan"),
    path(B + "session/close/", views.session_close, name="session_close"),
]
