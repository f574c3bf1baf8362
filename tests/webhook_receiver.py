"""A real HTTP receiver on 127.0.0.1 for the webhook tests, the signature recipe of
docs/webhooks.md, and a runner for the queued delivery tasks.

The receiver records every request and answers as told: a status, after a delay (to
hang past the timeout), or dripping its answer a byte at a time. Nothing outside this
machine is ever contacted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.utils import timezone
from django_tasks_db.models import DBTaskResult


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """Answers `status` after `delay` seconds; with `drip`, sends its answer one byte
    every `drip` seconds instead."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.status, self.delay, self.drip = 200, 0.0, 0.0
        self.body = b"thanks"
        self.headers: dict[str, str] = {}
        self.arrived = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.server.block_on_close = False  # type: ignore[attr-defined]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/headway"

    def answer(
        self, status: int = 200, delay: float = 0.0, drip: float = 0.0, **headers: str
    ) -> None:
        self.status, self.delay, self.drip, self.headers = status, delay, drip, headers

    def wait(self, count: int, timeout: float = 10.0) -> list[Received]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.requests) >= count, timeout)
        return list(self.requests)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.arrived:
                    receiver.requests.append(Received(self.path, dict(self.headers), body))
                    receiver.arrived.notify_all()
                with contextlib.suppress(OSError):  # Headway hung up first (timeout tests)
                    self._answer()

            def _answer(self) -> None:
                time.sleep(receiver.delay)
                if receiver.drip:
                    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                    for byte in answer:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(receiver.drip)
                    return
                self.send_response(receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(receiver.body)))
                self.end_headers()
                self.wfile.write(receiver.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[Receiver]:
        receiver = cls()
        thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield receiver
        finally:
            receiver.server.shutdown()
            receiver.server.server_close()


# --- the recipe of docs/webhooks.md, line for line --------------------------------------


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """True when `Headway-Signature` signs `body` with `secret` and is recent."""
    fields = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(fields["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False  # too old (or from the future): maybe a replay
    signed = f"{timestamp}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


# --- the queue, run in this process ------------------------------------------------------


def run_due(task: str = "webhook_deliver_task") -> list[Any]:
    """Run the queued tasks named `task` that are due now, as `headway worker` would
    (without its connection handling, which a test's transaction cannot have)."""
    results = []
    while True:
        row = DBTaskResult.objects.ready().filter(task_path__endswith=task).first()
        if row is None:
            return results
        row.claim("tests")
        try:
            value = row.task.call(*row.task_result.args, **row.task_result.kwargs)
        except BaseException as error:
            row.set_failed(error)
            raise
        row.set_successful(value)
        results.append(value)


class Clock:
    """`timezone.now()` under the test's control, for the backoff schedule."""

    def __init__(self, monkeypatch: Any) -> None:
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta
