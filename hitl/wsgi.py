"""WSGI entry point (gunicorn hitl.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitl.settings")
application = get_wsgi_application()
