"""WSGI entry point (gunicorn hitl.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitl.settings")
application = get_wsgi_application()

from hitl.kernel import embedded_beat  # noqa: E402  (needs the apps loaded)

# No broker (the embedded default): run the beat schedule in this process.
embedded_beat.start()
