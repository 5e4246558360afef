"""Production settings are hardened (SECURITY.md R7)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOST = "voronka.example.com"
SECRET = "deploy-test-7f3a9c1e5b8d2f4a6c0e9b7d5f3a1c8e6b4d2f0a9c7e5b3d1f"

# Run in the production settings; plain static storage because the test does not collectstatic.
HEADERS_SCRIPT = """
import json, django
django.setup()
from django.test import Client, override_settings
storages = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
with override_settings(STORAGES=storages):
    secure = Client().get("/accounts/login/", secure=True, HTTP_HOST="__HOST__")
    plain = Client().get("/accounts/login/", HTTP_HOST="__HOST__")
print(json.dumps({"status": secure.status_code, "headers": dict(secure.headers),
                  "plain_status": plain.status_code, "plain_location": plain.headers.get("Location")}))
""".replace("__HOST__", HOST)


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # A clean deployment: nothing the test process (or a browser test's DJANGO_ALLOW_ASYNC_UNSAFE) set.
    dropped = {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        VORONKA_VAR_DIR=str(tmp_path / "var"),
        **extra,
    )
    return env


def _python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_check_deploy_has_no_warnings(tmp_path):
    result = _python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                     _production_env(tmp_path, SECRET_KEY=SECRET))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_refuse_to_load_without_a_secret_key(tmp_path):
    result = _python(["manage.py", "check"], _production_env(tmp_path))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set in production." in result.stderr


def test_production_response_headers(tmp_path):
    result = _python(["-c", HEADERS_SCRIPT], _production_env(tmp_path, SECRET_KEY=SECRET))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    headers = report["headers"]
    assert report["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    csp = [part.strip() for part in headers["Content-Security-Policy"].split(";")]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "object-src 'none'" in csp
    # and plain http is sent to https
    assert (report["plain_status"], report["plain_location"]) == (301, f"https://{HOST}/accounts/login/")


@pytest.mark.parametrize("path", ["/accounts/login/", "/no-such-page/"])
def test_security_headers_on_every_response(client, db, settings, path):
    # the same headers from the shared settings, in-process (HSTS needs production's settings)
    settings.SECURE_HSTS_SECONDS = 3600
    response = client.get(path, secure=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Strict-Transport-Security"] == "max-age=3600"
