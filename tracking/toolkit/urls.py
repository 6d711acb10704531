from django.urls import path

from . import views

app_name = "toolkit"

T = "b/<int:company_id>/toolkit/"

urlpatterns = [
    path(T + "funnel/", views.funnel, name="funnel"),
    path(T + "funnel/constraint/", views.leak_constraint, name="leak_constraint"),
    path(T + "funnel/hypothesis/", views.leak_hypothesis, name="leak_hypothesis"),
    path(T + "unit-economics/", views.unit_economics_page, name="unit_economics"),
    path(T + "unit-economics/inputs/", views.inputs_save, name="inputs_save"),
    path(T + "unit-economics/metrics/", views.mapping_save, name="mapping_save"),
    path(T + "unit-economics/pull/", views.inputs_pull, name="inputs_pull"),
    path(T + "unit-economics/snapshots/", views.snapshot_add, name="snapshot_add"),
    path(T + "unit-economics/compare/", views.compare, name="compare"),
]
