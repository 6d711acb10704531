from django.urls import include, path

from . import views, views_library

app_name = "hypotheses"

B = "b/<int:company_id>/"

# One hypothesis's pages, under b/<company_id>/hypotheses/<hypothesis_id>/
hypothesis_patterns = [
    path("", views.hypothesis_detail, name="detail"),
    path("edit/", views.hypothesis_edit, name="edit"),
    path("move/", views.hypothesis_transition, name="transition"),
    path("verdict/", views.hypothesis_decide, name="decide"),
    path("suggest/", views.verdict_suggest, name="suggest"),
    path("archive/", views.hypothesis_archive, name="archive_one"),
    path("restore/", views.hypothesis_restore, name="restore"),
]

urlpatterns = [
    path(B + "hypotheses/", views.board, name="board"),
    path(B + "hypotheses/new/", views.hypothesis_new, name="new"),
    path(B + "hypotheses/archive/", views.archive, name="archive"),
    path(B + "hypotheses/return-hint/", views.return_hint_partial, name="return_hint"),
    path(B + "hypotheses/<int:hypothesis_id>/", include(hypothesis_patterns)),
    path(B + "history/", views.history, name="history"),
    path(B + "history.csv", views.history_csv, name="history_csv"),
    # The learnings library across the user's businesses, "tried before", insight → hypothesis
    path("library/", views_library.library, name="library"),
    path("library.csv", views_library.library_csv, name="library_csv"),
    path("library/tried-before/", views_library.tried_before, name="tried_before"),
    path(B + "insights/<int:insight_id>/hypothesis/", views_library.from_insight, name="from_insight"),
]
