from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "tracking.backups"
    label = "backups"
