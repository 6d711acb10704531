from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tracking.api"
    label = "api"
    verbose_name = "API"
