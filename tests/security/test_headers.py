"""The production settings' headers and cookies (issue 12, point 5), checked in a child
process started with HEADWAY_ENV=production, as tests/test_settings.py does: the test
process itself runs the development settings."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT

HOST = "okr.example.com"
PRODUCTION = {
    "HEADWAY_ENV": "production",
    "HEADWAY_SECRET_KEY": "production-test-" + "k" * 60,
    "HEADWAY_ALLOWED_HOSTS": HOST,
}

# Runs in the child: migrate a fresh SQLite file, log in over HTTPS, report what a
# browser would receive.
CHILD = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "headway.settings"
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from headway.accounts.services import user_create
from django.test.utils import override_settings
call_command("migrate", verbosity=0)
# Production serves compressed, hashed static files after `collectstatic`, which takes
# over a minute here; headers and cookies do not depend on how static URLs are named.
override_settings(STORAGES={
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}).enable()
user_create(email="ops@example.com", password="a long passphrase 42", name="Ops")
client = Client(HTTP_HOST="okr.example.com")
page = client.get("/login/", secure=True)
login = client.post(
    "/login/",
    {"username": "ops@example.com", "password": "a long passphrase 42",
     "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    secure=True,
)
plain = Client(HTTP_HOST="okr.example.com").get("/login/")
def cookie(morsel):
    return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"]}
print(json.dumps({
    "page": page.status_code, "headers": dict(page.headers),
    "login": login.status_code, "login_location": login.get("Location"),
    "cookies": {name: cookie(m) for name, m in client.cookies.items()},
    "plain": plain.status_code, "plain_location": plain.get("Location"),
}))
"""


def child_env(tmp_path: Path, **more: str) -> dict[str, str]:
    # A production process as an operator starts it: none of the suite's settings, nor
    # the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (check --deploy rightly refuses it).
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("HEADWAY_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return {**clean, "HEADWAY_DATA_DIR": str(tmp_path), **PRODUCTION, **more}


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    env = child_env(tmp_path_factory.mktemp("production"))
    result = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def test_it_sends_the_strict_content_security_policy(production: dict[str, Any]) -> None:
    assert production["page"] == 200
    policy = production["headers"]["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce and len(nonce.group(1)) >= 16
    directives = {
        part.split()[0]: part.split()[1:]
        for part in policy.replace(nonce.group(0), "'nonce-N'").split(";")
    }
    assert directives == {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'nonce-N'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
    assert "unsafe" not in policy


def test_it_sends_the_security_headers(production: dict[str, Any]) -> None:
    headers = production["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_cookies_are_secure_and_http_only(production: dict[str, Any]) -> None:
    assert production["login"] == 302, "the login worked"
    cookies = production["cookies"]
    assert cookies["sessionid"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert cookies["csrftoken"]["secure"] is True
    assert cookies["csrftoken"]["samesite"] == "Lax"


def test_plain_http_is_sent_to_https(production: dict[str, Any]) -> None:
    assert production["plain"] == 301
    assert production["plain_location"] == f"https://{HOST}/login/"


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=child_env(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
