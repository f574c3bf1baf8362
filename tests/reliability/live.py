"""A live Headway for the reliability runs: its own fresh database, a real gunicorn
(`headway serve`, 2 workers) and a real task worker (`headway worker`), and HTTP
clients that each hold their own connection.

The database is SQLite in the run's data directory, or, when HEADWAY_DATABASE_URL
names a PostgreSQL server, a throwaway database on that server, created here and
dropped at the end. Nothing here touches pytest-django's test database: the server
processes need a database they can see, committed, from outside the test.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the database ---------------------------------------------------------------------


@dataclass
class Database:
    """A fresh database for one run: `url` for HEADWAY_DATABASE_URL, `vendor`."""

    url: str
    vendor: str
    server: str = ""  # PostgreSQL: the server URL without a database
    name: str = ""

    @classmethod
    def create(cls, data_dir: Path) -> Database:
        configured = os.environ.get("HEADWAY_DATABASE_URL", "")
        if not configured.startswith(("postgres://", "postgresql://")):
            return cls(url=f"sqlite:///{data_dir / 'headway.sqlite3'}", vendor="sqlite")
        server = configured.split("?", 1)[0].rsplit("/", 1)[0]
        name = f"headway_reliability_{secrets.token_hex(4)}"
        _postgres(server, f'CREATE DATABASE "{name}"')
        return cls(url=f"{server}/{name}", vendor="postgresql", server=server, name=name)

    def drop(self) -> None:
        if self.vendor == "postgresql":
            _postgres(self.server, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _postgres(server: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(statement)


# --- the processes --------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after it.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            found.append(int(entry.name))
    return found


@dataclass
class Site:
    """One data directory and database, and the processes serving them."""

    data_dir: Path
    database: Database
    port: int = field(default_factory=free_port)
    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    seeded: dict[str, Any] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "HEADWAY_DATA_DIR": str(self.data_dir),
            "HEADWAY_DATABASE_URL": self.database.url,
            "HEADWAY_BIND": f"127.0.0.1:{self.port}",
            "HEADWAY_WEB_WORKERS": "2",
            "DJANGO_SETTINGS_MODULE": "headway.settings",
        }

    def command(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run `headway ARGS` to completion on this site."""
        return subprocess.run(
            [sys.executable, "-m", "headway.cli", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def data(self, action: str) -> dict[str, Any]:
        """`tests.reliability.data ACTION` on this site's database, as JSON."""
        done = subprocess.run(
            [sys.executable, "-m", "tests.reliability.data", action],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    def prepare(self) -> dict[str, Any]:
        """Migrate the fresh database and seed it."""
        migrated = self.command("migrate", "--verbosity", "0", timeout=300)
        assert migrated.returncode == 0, migrated.stderr
        self.seeded = self.data("seed")
        return self.seeded

    def _start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.data_dir / f"{name}.log").open("ab")
        # A session of its own: one killpg stops gunicorn's master and workers together.
        return subprocess.Popen(
            [sys.executable, "-m", "headway.cli", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_web(self) -> None:
        self.web = self._start("web", "serve", "--graceful-timeout", "5")
        self.wait_ready()

    def start_worker(self) -> None:
        self.worker = self._start(
            "worker", "worker", "--no-scheduler", "--no-startup-delay", "--interval", "0.2"
        )

    def web_workers(self) -> list[int]:
        return _children(self.web.pid) if self.web else []

    def wait_ready(self, timeout: float = 60) -> None:
        """Until gunicorn answers a request (its workers have booted)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.web is not None and self.web.poll() is None, self.log("web")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/login/")
                if connection.getresponse().status < 500:
                    connection.close()
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not answer within {timeout} s:\n{self.log('web')}")

    def kill(self, which: str) -> None:
        """SIGKILL `web` (gunicorn's master and its workers) or `worker`, and reap it."""
        process = self.web if which == "web" else self.worker
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):  # it died by itself meanwhile
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self) -> None:
        for which in ("web", "worker"):
            self.kill(which)

    def log(self, name: str, limit: int | None = 4000) -> str:
        """The end of a process's output (all of it with limit=None)."""
        path = self.data_dir / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return text[-limit:] if limit else text


# --- HTTP clients ---------------------------------------------------------------------


@dataclass
class Answer:
    status: int  # 0: no answer (connection refused, reset, or timed out)
    body: Any
    headers: dict[str, str]


class Client:
    """One API client with its own keep-alive connection and token."""

    def __init__(self, port: int, token: str, timeout: float = 30) -> None:
        self.port, self.token, self.timeout = port, token, timeout
        self.connection: http.client.HTTPConnection | None = None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=self.timeout
                )
            self.connection.request(method, API + path, body=body, headers=sent)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            return Answer(0, None, {})
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        text = raw.decode("utf-8", "replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return Answer(response.status, parsed, {k.lower(): v for k, v in response.getheaders()})

    def json(self, method: str, path: str, payload: Any, **headers: str) -> Answer:
        return self.request(
            method,
            path,
            json.dumps(payload).encode(),
            {"Content-Type": "application/json", **headers},
        )

    def checkin(self, key_result: int, value: float, key: str | None = None) -> Answer:
        headers = {"Idempotency-Key": key} if key else {}
        return self.json(
            "POST",
            f"/key-results/{key_result}/check-ins",
            {"value": value, "confidence": 7, "note": "reliability run"},
            **headers,
        )

    def upload(self, filename: str, content: bytes) -> Answer:
        boundary = uuid.uuid4().hex
        body = (
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                "Content-Type: text/csv\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.request(
            "POST", "/imports", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
