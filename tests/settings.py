"""Test settings: the real settings, with a fixed secret and tasks run in-process.

SAMTYKKE_DATABASE_URL chooses the database as in production (SQLite by default; CI runs the
suite again with postgres://…). Test databases are created and dropped by pytest-django.
"""

import os

os.environ.setdefault("SAMTYKKE_SECRET_KEY", "test-secret-key-" + "s" * 40)
os.environ.setdefault("SAMTYKKE_LEDGER_KEY", "test-ledger-key")
os.environ.setdefault("SAMTYKKE_TASKS_BACKEND", "immediate")
os.environ.setdefault("SAMTYKKE_SMS_BACKEND", "test")
os.environ.setdefault("SAMTYKKE_EMAIL_BACKEND", "locmem")
os.environ.setdefault("SAMTYKKE_PUBLIC_URL", "http://testserver")

from samtykke.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
