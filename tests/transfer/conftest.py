"""Shared fixtures of the import and export tests. Each helper adds its own fixtures
here; none rewrites another's.

`acme_okrs`: Acme (from the personas) with cycles around today (a running quarter
inside a running year, and a closed one), a team tree where the name "Hubs" is taken
twice (Operations / Hubs, Sales / Hubs), and a strategic theme.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from headway.goals.models import Cycle, Theme
from headway.teams.models import Team
from tests.conftest import World
from tests.factories import CycleFactory, TeamFactory, ThemeFactory


@dataclass
class AcmeOkrs:
    world: World
    quarter: Cycle
    year: Cycle
    closed: Cycle
    operations: Team
    sales: Team
    hubs: Team  # Operations / Hubs
    sales_hubs: Team  # Sales / Hubs
    theme: Theme
    today: dt.date


@pytest.fixture
def acme_okrs(world: World) -> AcmeOkrs:
    today = timezone.now().date()
    acme = world.acme
    quarter = CycleFactory(
        organisation=acme,
        name="Now",
        start_date=today - dt.timedelta(days=40),
        end_date=today + dt.timedelta(days=50),
    )
    year = CycleFactory(
        organisation=acme,
        name="This year",
        kind="annual",
        start_date=today - dt.timedelta(days=200),
        end_date=today + dt.timedelta(days=165),
    )
    closed = CycleFactory(
        organisation=acme,
        name="Last spring",
        start_date=today - dt.timedelta(days=400),
        end_date=today - dt.timedelta(days=310),
        status="closed",
    )
    operations = TeamFactory(
        organisation=acme, name="Operations", slug="operations", parent=world.root
    )
    sales = TeamFactory(organisation=acme, name="Sales", slug="sales", parent=world.root)
    hubs = TeamFactory(organisation=acme, name="Hubs", slug="ops-hubs", parent=operations)
    sales_hubs = TeamFactory(organisation=acme, name="Hubs", slug="sales-hubs", parent=sales)
    theme = ThemeFactory(organisation=acme, title="Customers first")
    return AcmeOkrs(world, quarter, year, closed, operations, sales, hubs, sales_hubs, theme, today)
