from django.urls import path

from . import views

INTERVIEWS = "b/<int:company_id>/interviews/"


def patterns(*, purposes=()) -> list:
    """The interview pages; `purposes`: what a script may be written for in the apps above
    (hypotheses/scripts.py `purpose()`), passed in by the project's urls.py."""
    written_for = {"purposes": tuple(purposes)}
    return [
        path(INTERVIEWS, views.interviews, name="interviews"),
        path(INTERVIEWS + "new/", views.interview_new, name="interview_new"),
        path(INTERVIEWS + "<int:interview_id>/", views.interview_detail, name="interview_detail"),
        path(INTERVIEWS + "<int:interview_id>/edit/", views.interview_edit, name="interview_edit"),
        path(INTERVIEWS + "scripts/", views.scripts, name="scripts"),
        path(INTERVIEWS + "scripts/new/", views.script_new, written_for, name="script_new"),
        path(INTERVIEWS + "scripts/check/", views.mom_test_hints, name="mom_test"),
        path(INTERVIEWS + "scripts/<int:script_id>/", views.script_detail, written_for, name="script_detail"),
        path(INTERVIEWS + "scripts/<int:script_id>/edit/", views.script_edit, name="script_edit"),
        path(INTERVIEWS + "synthesis/", views.synthesis, name="synthesis"),
        path(INTERVIEWS + "insights/new/", views.insight_new, name="insight_new"),
        path(INTERVIEWS + "threshold/", views.threshold_set, name="threshold"),
    ]
