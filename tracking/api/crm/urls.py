"""The CRM pages under a business's settings, and the inbound URLs; mounted by the project's
urls.py in the `crm` namespace."""

from django.urls import path

from . import views

B = "b/<int:company_id>/settings/crm/"

urlpatterns = [
    path(B, views.crm_settings, name="settings"),
    path(B + "stages/", views.mapping_add, name="mapping_add"),
    path(B + "stages/<int:mapping_id>/", views.mapping, name="mapping"),
    path(B + "stages/<int:mapping_id>/delete/", views.mapping_delete, name="mapping_delete"),
    path("crm/amocrm/<str:key>/<str:secret>/", views.inbound_amocrm, name="inbound_amocrm"),
    path("crm/bitrix24/<str:key>/", views.inbound_bitrix24, name="inbound_bitrix24"),
    path("crm/hubspot/<str:key>/", views.inbound_hubspot, name="inbound_hubspot"),
]
