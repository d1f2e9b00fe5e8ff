# The hitl application image: web (gunicorn), Celery worker and beat all run from it.
#   docker build -t hitl .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HITL_VAR_DIR=/var/lib/hitl

WORKDIR /app

# Dependencies first (exactly the pins of pyproject.toml), so code changes keep this layer cached.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin hitl \
    && mkdir -p /var/lib/hitl \
    && DJANGO_SECRET_KEY=collectstatic-only HITL_SECRET_ENCRYPTION_KEY=collectstatic-only python manage.py collectstatic --noinput -v 0 \
    && chown -R hitl /var/lib/hitl

USER hitl
EXPOSE 8000

CMD ["gunicorn", "hitl.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
