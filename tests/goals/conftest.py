from __future__ import annotations

import datetime as dt

import pytest

from tests.okrs import Okrs, build


@pytest.fixture
def okrs(world) -> Okrs:
    """Acme's year and Q4 with a company objective and Platform's contributing one
    (see tests/okrs.py), made through the services."""
    return build(world)


def reload(*rows):
    for row in rows:
        row.refresh_from_db()
    return rows


def day(n: int) -> dt.datetime:
    return dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=n)
