"""The one write path for flags: analyse key results, then open, update and resolve
`Flag` rows to match what the rules find now.

A flag keeps its identity while its rule holds (its reason and numbers are
refreshed in place), so anything that notifies "once per flag" can rely on
`opened_at`; it is resolved, never deleted, when the rule stops holding.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from headway.accounts.models import Organisation
from headway.notify.webhook_events import FLAG_RAISED, FLAG_RESOLVED, webhooks_on_commit

from .metrics import flags as flag_rules
from .metrics.series import day_number
from .models import Flag
from .selectors import key_result_series, key_results_in_play, thresholds_of

UPDATE_BATCH = 500

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FlagRefresh:
    """What one refresh changed."""

    analysed: int
    opened: int
    updated: int
    resolved: int

    def __str__(self) -> str:
        return (
            f"{self.analysed} key results analysed: {self.opened} flags opened, "
            f"{self.updated} updated, {self.resolved} resolved."
        )


def flags_refresh(
    organisation: Organisation,
    *,
    key_result_ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
) -> FlagRefresh:
    """Bring the organisation's flags (or those of some key results) up to date.

    Key results no longer in play (dropped, closed, in a closed cycle) have their
    open flags resolved.
    """
    now = now or timezone.now()
    in_play = key_results_in_play(organisation.pk)
    open_flags = Flag.objects.filter(organisation_id=organisation.pk, resolved_at=None)
    if key_result_ids is not None:
        ids = list(key_result_ids)
        in_play = in_play.filter(pk__in=ids)
        # By key result, the organisation checked through the join: SQLite would
        # otherwise walk every open flag of the organisation to find a few.
        open_flags = Flag.objects.filter(
            key_result_id__in=ids, key_result__organisation_id=organisation.pk, resolved_at=None
        )
    series = key_result_series(organisation, in_play)
    findings = flag_rules.detect(series, day_number(now), thresholds_of(organisation))
    found = {(f.key_result_id, f.kind): f for f in findings}
    if _unchanged(open_flags, found):
        # Most refreshes after a check-in change nothing: no write transaction (on
        # SQLite that would take the database's write lock for nothing).
        return FlagRefresh(len(series), 0, 0, 0)
    with transaction.atomic():
        flags = open_flags.select_for_update().only(
            "pk", "key_result_id", "kind", "reason", "facts", "severity"
        )
        changed, gone = _compare(list(flags), found, now)
        Flag.objects.bulk_update(
            changed, ["reason", "facts", "severity", "updated_at"], batch_size=UPDATE_BATCH
        )
        Flag.objects.filter(pk__in=[flag.pk for flag in gone]).update(resolved_at=now)
        fresh = [_new_flag(organisation.pk, finding, now) for finding in found.values()]
        Flag.objects.bulk_create(fresh, batch_size=UPDATE_BATCH)
        webhooks_on_commit(organisation.pk, FLAG_RAISED, [flag.pk for flag in fresh])
        webhooks_on_commit(organisation.pk, FLAG_RESOLVED, [flag.pk for flag in gone])
    return FlagRefresh(len(series), len(fresh), len(changed), len(gone))


def _unchanged(
    open_flags: QuerySet[Flag], found: dict[tuple[int, str], flag_rules.Finding]
) -> bool:
    stored = {
        (key_result_id, kind): (reason, facts)
        for key_result_id, kind, reason, facts in open_flags.values_list(
            "key_result_id", "kind", "reason", "facts"
        )
    }
    return stored == {key: (f.reason[:300], f.facts) for key, f in found.items()}


def _compare(
    open_flags: list[Flag], found: dict[tuple[int, str], flag_rules.Finding], now: dt.datetime
) -> tuple[list[Flag], list[Flag]]:
    """Split open flags into those still found (changed ones updated in memory) and
    those gone; what remains in `found` is new."""
    changed: list[Flag] = []
    gone: list[Flag] = []
    for flag in open_flags:
        finding = found.pop((flag.key_result_id, flag.kind), None)
        if finding is None:
            gone.append(flag)
        elif flag.reason != finding.reason[:300] or flag.facts != finding.facts:
            flag.reason, flag.facts = finding.reason[:300], finding.facts
            flag.severity, flag.updated_at = finding.severity, now
            changed.append(flag)
    return changed, gone


def _new_flag(organisation_id: int, finding: flag_rules.Finding, now: dt.datetime) -> Flag:
    return Flag(
        organisation_id=organisation_id,
        key_result_id=finding.key_result_id,
        kind=finding.kind,
        reason=finding.reason[:300],
        facts=finding.facts,
        severity=finding.severity,
        opened_at=now,
        updated_at=now,
    )


_deferral = threading.local()


@contextmanager
def flags_deferred() -> Iterator[None]:
    """Skip the per-check-in refresh inside this block: for bulk writers (the demo,
    imports) that refresh the whole organisation once when they are done."""
    _deferral.depth = getattr(_deferral, "depth", 0) + 1
    try:
        yield
    finally:
        _deferral.depth -= 1


def flags_refresh_on_commit(organisation_id: int, key_result_id: int) -> None:
    """Refresh this key result's flags once the current transaction commits (dropped
    with it if it rolls back), unless inside `flags_deferred()`."""
    if getattr(_deferral, "depth", 0):
        return
    transaction.on_commit(partial(flags_after_checkin, organisation_id, key_result_id))


def flags_refresh_organisation_on_commit(organisation_id: int) -> None:
    """Queue a refresh of the whole organisation's flags once the current transaction
    commits (a cycle closed or reopened changes which key results are in play)."""
    if getattr(_deferral, "depth", 0):
        return
    from .tasks import flags_refresh_task  # the task module imports this one

    transaction.on_commit(partial(flags_refresh_task.enqueue, organisation_id))


def flags_after_checkin(organisation_id: int, key_result_id: int) -> FlagRefresh | None:
    """Refresh one key result's flags once its check-in has committed.

    Runs from `transaction.on_commit`, so the check-ins are already saved: a failure
    here is logged and swallowed (returning None), never turned into an error for the
    person who checked in. The next full refresh catches up.
    """
    try:
        organisation = Organisation.objects.get(pk=organisation_id)
        return flags_refresh(organisation, key_result_ids=[key_result_id])
    except Exception:
        logger.exception(
            "Refreshing the flags of key result %s (organisation %s) after a check-in failed.",
            key_result_id,
            organisation_id,
        )
        return None
