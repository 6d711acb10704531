from django.urls import path

from . import views

app_name = "hypotheses"

B = "b/<int:company_id>/"
H = B + "hypotheses/<int:hypothesis_id>/"

urlpatterns = [
    path(B + "hypotheses/", views.board, name="board"),
    path(B + "hypotheses/new/", views.hypothesis_new, name="new"),
    path(B + "hypotheses/archive/", views.archive, name="archive"),
    path(H, views.hypothesis_detail, name="detail"),
    path(H + "edit/", views.hypothesis_edit, name="edit"),
    path(H + "move/", views.hypothesis_transition, name="transition"),
    path(H + "verdict/", views.hypothesis_decide, name="decide"),
    path(H + "suggest/", views.verdict_suggest, name="suggest"),
    path(H + "archive/", views.hypothesis_archive, name="archive_one"),
    path(H + "restore/", views.hypothesis_restore, name="restore"),
    path(B + "history/", views.history, name="history"),
    path(B + "history.csv", views.history_csv, name="history_csv"),
]
