"""SQLite with writers queued on a lock file instead of SQLite's busy wait.

A transaction starts with BEGIN IMMEDIATE, which takes SQLite's write lock. When
another connection holds it, SQLite's busy handler sleeps in growing steps (up to 100
ms at a time), so a waiting writer wakes up long after the lock came free: with two
web workers that sleep, not the work, set the check-in latency (docs/performance.md).
Here each connection first takes an exclusive `flock` on `<database>.writelock`,
which the kernel hands to the next waiter the moment it is released (and releases by
itself if the process dies), then begins. Autocommit statements outside transactions
still rely on the busy timeout.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _lock_fd: int | None = None

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or not name:
            return None
        return name + ".writelock"

    def _take_write_lock(self) -> None:
        path = self._lock_path()
        if path is None or self._lock_fd is not None:
            return
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self._lock_fd = fd

    def _release_write_lock(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the flock

    def _start_transaction_under_autocommit(self) -> None:
        self._take_write_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # not in django-stubs
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._release_write_lock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._release_write_lock()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._release_write_lock()
