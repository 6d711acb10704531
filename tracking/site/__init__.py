"""The project's wiring: settings, the root URLconf (it passes the core's pages what the apps
above add to them), the Celery app, the WSGI/ASGI entry points and the embedded PostgreSQL
that the settings start when no DATABASE_URL is given. It alone imports every app."""
