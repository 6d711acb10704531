# `celery -A tracking` finds the app here, and every process that imports the project (Django's
# included) configures it before a task is sent.
from .site.celery import app as celery_app

__all__ = ("celery_app",)
