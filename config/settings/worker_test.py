"""The real worker in tests (tests/test_worker.py): test settings with the database task backend.

The test passes DATABASE_URL pointing at its own test database, so the worker and the test
share one database.
"""

from .test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
