"""Local run (`make run`): debug pages off by default so the demo behaves like production."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", False)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Serve static files straight from the packages, no collectstatic needed for a local run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
