"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzhan.settings")
application = get_wsgi_application()

# A production start refuses to serve while demo accounts exist (see tongzhan.core.checks).
from tongzhan.core.checks import refuse_demo_accounts  # noqa: E402

refuse_demo_accounts()
