# One image for every app process: web (gunicorn, the default CMD), Celery worker and
# beat (docker-compose.yml overrides the command), and the one-shot migrate.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext provides msgfmt for compilemessages: compiled translations are built, not committed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*

# The app never runs as root. It owns /app because settings create var/ at start-up
# and collectstatic writes staticfiles/. The home directory holds gunicorn's control socket.
RUN useradd --create-home --shell /usr/sbin/nologin app \
 && install -d -o app -g app /app
WORKDIR /app

# Dependencies before the code, so this layer is rebuilt only when the pins change.
# Dependency groups (PEP 735) need pip >= 25.1.
COPY pyproject.toml constraints.txt ./
RUN python -m pip install --upgrade "pip>=25.1" \
 && python -m pip install -c constraints.txt --group run

COPY --chown=app:app . .
USER app

# The dummy settings below live only for these RUN lines; nothing is stored in the image.
RUN DJANGO_DEBUG=1 python manage.py compilemessages -v0
# Debug off selects the manifest storage, so the hashed names and the manifest that the
# production settings look up are the ones written here.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build-only-dummy-key DJANGO_ALLOWED_HOSTS=build.invalid \
    MFA_ENCRYPTION_KEY=build-only-dummy-key-for-two-factor-secrets \
    python manage.py collectstatic --noinput -v0

EXPOSE 8000
# gunicorn reads its worker count from WEB_CONCURRENCY (and extra flags from
# GUNICORN_CMD_ARGS). About 2-4 per CPU; more users means more containers, not bigger ones.
ENV WEB_CONCURRENCY=3
# /dev/shm: the worker heartbeat file must not sit on a slow overlay filesystem.
# --max-requests: recycle workers now and then so a slow leak never grows unbounded.
CMD ["gunicorn", "tracking.site.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", \
     "--max-requests", "1000", "--max-requests-jitter", "100", \
     "--access-logfile", "-"]
