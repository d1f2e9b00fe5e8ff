"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitl.settings")
application = get_asgi_application()

from hitl.kernel import embedded_beat  # noqa: E402  (needs the apps loaded)

# No broker (the embedded default): run the beat schedule in this process.
embedded_beat.start()
