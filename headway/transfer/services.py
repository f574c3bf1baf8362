"""Imports, from upload to written rows: the one path the web page, the API and
`headway import` share.

    import_upload   an admin uploads a file: a job is created (status validating) and
                    `import_validate_task` is queued
    import_validate the task's body: read the file, check it against the organisation,
                    record every problem (invalid) or the preview (ready)
    import_confirm  an admin confirms a ready job: importing, `import_write_task` queued
    import_write    the task's body: read and check again (the organisation may have
                    changed since), then write everything in one transaction (done), or
                    nothing (invalid or failed)
    import_cancel   forget a job that is not being written or done

Readers are picked by format: the Headway template as CSV or XLSX (spreadsheet.py), a
Viva Goals export (viva.py, with the job's column mapping); a Headway JSON export is
handed to json_import.py, which owns that format.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import zoneinfo
from collections.abc import Callable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from headway.accounts.models import Membership, Organisation
from headway.accounts.services import require_admin
from headway.lib.errors import Conflict

from .directory import Directory, directory_load, existing_titles
from .models import ImportFormat, ImportJob, ImportStatus
from .preview import problems_plain
from .rows import Parsed, Problem
from .selectors import import_job_get
from .spreadsheet import read_csv, read_xlsx
from .validate import Checked, import_check

logger = logging.getLogger(__name__)

MAX_UPLOAD_MB = 20
MAX_UPLOAD = MAX_UPLOAD_MB * 1024 * 1024
MAX_STORED_PROBLEMS = 10_000  # a file wrong on every row still gets a readable report
Report = Callable[[str, int, int], None]  # (phase, rows done, rows expected)


def import_upload(
    *,
    member: Membership,
    filename: str,
    content: bytes,
    format: str,
    mapping: dict[str, str] | None = None,
    queue: bool = True,
) -> ImportJob:
    """Keep an uploaded file as a new job and queue its validation (owners and admins).

    Refuses an unknown format, an empty file and one over MAX_UPLOAD_MB at once,
    before anything is stored. `queue=False` leaves the validation to the caller (the
    command line runs it in its own process).
    """
    require_admin(member, "import files")
    if format not in ImportFormat.values:
        raise ValidationError({"format": f"Choose a format: {', '.join(ImportFormat.values)}."})
    if not content:
        raise ValidationError(
            {"file": "The file is empty. Fill in the template and upload it again."}
        )
    if len(content) > MAX_UPLOAD:
        raise ValidationError(
            {
                "file": f"The file is {len(content) / 2**20:.1f} MB; the limit is {MAX_UPLOAD_MB} MB. "
                "Split it into several files and import them one by one."
            }
        )
    name = os.path.basename(str(filename or "").replace("\\", "/"))[:255] or "upload"
    job = ImportJob.objects.create(
        organisation_id=member.organisation_id,
        created_by=member.user,
        format=format,
        filename=name,
        content=content,
        size=len(content),
        mapping=mapping or {},
    )
    if queue:
        from .tasks import import_validate_task

        transaction.on_commit(partial(import_validate_task.enqueue, job.pk))
    return job


def format_detect(filename: str, content: bytes, chosen: str = "") -> str:
    """The format of an upload: as chosen, or for "template" (or nothing) the
    workbook or CSV the bytes are; nothing chosen and a .json name means JSON."""
    if chosen not in ("", "template"):
        return chosen  # import_upload refuses one it does not know
    if not chosen and str(filename).lower().endswith(".json"):
        return ImportFormat.JSON
    return ImportFormat.XLSX if content.startswith(b"PK\x03\x04") else ImportFormat.CSV


def upload_size_check(size: int) -> None:
    """Refuse an empty file, or one over MAX_UPLOAD_MB, before it is read or stored."""
    if not size:
        raise ValidationError(
            {"file": "The file is empty. Fill in the template and upload it again."}
        )
    if size > MAX_UPLOAD:
        raise ValidationError(
            {
                "file": f"The file is {size / 2**20:.1f} MB; the limit is {MAX_UPLOAD_MB} MB. "
                "Split it into several files and import them one by one."
            }
        )


CHECK_FIELDS = ["status", "errors", "preview", "progress", "total", "message"]


def _store(job: ImportJob, fields: list[str]) -> None:
    """Save these fields of the job; nothing (and no error) if it was cancelled meanwhile."""
    ImportJob.objects.filter(pk=job.pk).update(**{name: getattr(job, name) for name in fields})


def _job(job_id: int) -> ImportJob | None:
    return ImportJob.objects.select_related("organisation", "created_by").filter(pk=job_id).first()


def _saver(job: ImportJob, report: Report | None, phase: str) -> Callable[[int, int], None]:
    """A progress callback that stores the count (outside any transaction, so a poll
    sees it) and tells the caller."""

    def progress(done: int, expected: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(progress=done, total=max(expected, done))
        if report is not None:
            report(phase, done, expected)

    return progress


def _read(
    job: ImportJob, progress: Callable[[int, int], None] | None, directory: Directory
) -> Parsed:
    content = bytes(job.content)
    if job.format == ImportFormat.CSV:
        return read_csv(content, progress)
    if job.format == ImportFormat.XLSX:
        return read_xlsx(content, progress)
    try:  # the Viva Goals reader is a module of its own, loaded when needed
        from .viva import read_viva
        from .viva_directory import viva_directory
    except ImportError:
        return _unavailable("Importing a Viva Goals export")
    names = viva_directory(directory, job.organisation.name)
    return read_viva(content, job.filename, dict(job.mapping or {}), directory=names)


def _unavailable(what: str) -> Parsed:
    parsed = Parsed()
    parsed.problems.append(Problem(0, "", f"{what} is not available in this version of Headway."))
    return parsed


def import_check_job(
    job: ImportJob, report: Report | None = None
) -> tuple[Parsed, Checked, Directory]:
    """Read the job's file and check it against its organisation as it is now."""
    directory = directory_load(job.organisation)
    parsed = _read(job, _saver(job, report, "reading"), directory)
    used = {c.id for o in parsed.objectives if (c := directory.cycle(o.cycle)) is not None}
    existing_titles(directory, used)
    checked = import_check(parsed, directory, _today(job.organisation))
    return parsed, checked, directory


def _today(organisation: Organisation) -> dt.date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(organisation.timezone)).date()


def import_validate(job_id: int, report: Report | None = None) -> ImportJob | None:
    """Check a validating job's file; the job ends invalid (with every problem) or
    ready (with the preview). The body of `import_validate_task`."""
    job = _job(job_id)
    if job is None or job.status != ImportStatus.VALIDATING:
        return job  # cancelled, or already checked by an earlier run of the task
    if job.format == ImportFormat.JSON:
        return _json_validate(job)
    try:
        parsed, checked, _ = import_check_job(job, report)
    except Exception:
        logger.exception("Checking import %s failed.", job.pk)
        return _fail(
            job,
            "Headway could not check this file (an internal error, logged). Nothing was imported.",
        )
    _record_check(job, parsed, checked)
    # Only a job still being checked: a second run of this task (resumed) must not
    # turn a job confirmed meanwhile back to ready.
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATING).update(
        **{name: getattr(job, name) for name in CHECK_FIELDS}
    )
    return job


def _record_check(job: ImportJob, parsed: Parsed, checked: Checked) -> None:
    problems = checked.problems
    job.errors = problems_plain(problems)[:MAX_STORED_PROBLEMS]
    job.preview = checked.preview or {
        "source": parsed.source,
        "warnings": problems_plain(checked.warnings),
    }
    job.progress = job.total = parsed.rows
    job.status = ImportStatus.INVALID if problems else ImportStatus.READY
    if problems:
        shown = (
            ""
            if len(problems) <= MAX_STORED_PROBLEMS
            else f" (the first {MAX_STORED_PROBLEMS:,} are listed)"
        )
        job.message = f"{len(problems):,} problems{shown}: nothing was imported. Fix them and upload the file again."
    else:
        job.message = f"{parsed.rows:,} rows checked: ready to import."


def _fail(job: ImportJob, message: str) -> ImportJob:
    job.status = ImportStatus.FAILED
    job.message = message
    job.finished_at = timezone.now()
    _store(job, ["status", "message", "finished_at"])
    return job


def _json_hook(name: str) -> Callable[[ImportJob], ImportJob] | None:
    """The JSON importer's step for jobs (json_import.py owns that format), if any."""
    try:
        from . import json_import
    except ImportError:
        return None
    hook = getattr(json_import, name, None)
    return hook if callable(hook) else None


def _json_validate(job: ImportJob) -> ImportJob:
    hook = _json_hook("validate_job")
    if hook is None:
        return _fail(job, "Importing a Headway JSON export is not available in this version.")
    return hook(job)


def import_confirm(*, member: Membership, job_id: object) -> ImportJob:
    """Write a ready import (owners and admins): the job turns to importing and the
    write is queued. Only a ready job can be confirmed."""
    require_admin(member, "import files")
    job = import_job_get(member, job_id)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().defer("content").get(pk=job.pk)
        if locked.status != ImportStatus.READY:
            raise Conflict(
                f"This import is {locked.get_status_display().lower()}: only a file that is "
                "ready to import can be confirmed.",
                field="status",
            )
        locked.status = ImportStatus.IMPORTING
        locked.progress = 0
        locked.save(update_fields=["status", "progress"])
        from .tasks import import_write_task

        transaction.on_commit(partial(import_write_task.enqueue, locked.pk))
    return locked


def import_write(job_id: int, report: Report | None = None) -> ImportJob | None:
    """Write an importing job: check the file again, then write it all in one
    transaction with the job's new status; on any error nothing is written and the
    job says why. The body of `import_write_task`."""
    job = _job(job_id)
    if job is None or job.status != ImportStatus.IMPORTING:
        return job
    if job.format == ImportFormat.JSON:
        return _json_write(job)
    try:
        parsed, checked, directory = import_check_job(job, report)
    except Exception:
        logger.exception("Checking import %s before writing failed.", job.pk)
        return _fail(
            job,
            "Headway could not check this file (an internal error, logged). Nothing was imported.",
        )
    if not checked.ok:
        _record_check(job, parsed, checked)
        job.message = (
            "The organisation changed since the file was checked, and the file no longer "
            "fits it: nothing was imported. " + job.message
        )
        _store(job, CHECK_FIELDS)
        return job
    if report is not None:
        report("writing", 0, parsed.rows)
    return _write(job, parsed, checked, directory)


def _claimed(job: ImportJob) -> bool:
    """Lock the job for the write's transaction if it is still importing. A resumed
    task running beside the one it replaced (see imports_resume) then waits, finds the
    job done, and writes nothing."""
    return (
        ImportJob.objects.select_for_update()
        .filter(pk=job.pk, status=ImportStatus.IMPORTING)
        .exists()
    )


def _write(job: ImportJob, parsed: Parsed, checked: Checked, directory: Directory) -> ImportJob:
    from .write import import_write as write_rows

    try:
        with transaction.atomic():
            if not _claimed(job):
                return _job(job.pk) or job
            created = write_rows(parsed, checked, directory, job.created_by)
            job.status = ImportStatus.DONE
            job.created = created
            job.progress = job.total = parsed.rows
            job.finished_at = timezone.now()
            job.content = b""  # written: the rows are in Headway now, the file is not needed
            job.message = (
                f"Imported {created['objectives']:,} objectives, {created['key_results']:,} key "
                f"results, {created['checkins']:,} check-ins and {created['links']:,} alignment links."
            )
            job.save(
                update_fields=[
                    "status",
                    "created",
                    "progress",
                    "total",
                    "finished_at",
                    "content",
                    "message",
                ]
            )
    except Exception as error:
        logger.exception("Writing import %s failed; nothing was written.", job.pk)
        return _fail(
            job,
            f"Writing failed ({type(error).__name__}: {str(error)[:300]}), so nothing was imported: "
            "the import is all or nothing. Try again; if it fails again, report this message.",
        )
    return job


def _json_write(job: ImportJob) -> ImportJob:
    hook = _json_hook("write_job")
    if hook is None:
        return _fail(job, "Importing a Headway JSON export is not available in this version.")
    with transaction.atomic():  # the hook's own transaction nests inside: one claim, as in _write
        if not _claimed(job):
            return _job(job.pk) or job
        return hook(job)


def import_cancel(*, member: Membership, job_id: object) -> None:
    """Forget an import and its file (owners and admins); not while it is being
    written, nor once it is done (its rows are in Headway: delete them instead)."""
    require_admin(member, "import files")
    job = import_job_get(member, job_id)
    if job.status in (ImportStatus.IMPORTING, ImportStatus.DONE):
        raise Conflict(
            f"This import is {job.get_status_display().lower()}; it cannot be cancelled.",
            field="status",
        )
    ImportJob.objects.filter(pk=job.pk).delete()


def import_run(
    *,
    member: Membership,
    filename: str,
    content: bytes,
    format: str,
    dry_run: bool = False,
    report: Report | None = None,
) -> ImportJob:
    """Upload, check and (unless `dry_run`) write in this process: `headway import`.
    The job is recorded like any other; a dry run leaves it ready to confirm."""
    job = import_upload(
        member=member, filename=filename, content=content, format=format, queue=False
    )
    checked = import_validate(job.pk, report)
    assert checked is not None
    if dry_run or checked.status != ImportStatus.READY:
        return checked
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    written = import_write(job.pk, report)
    assert written is not None
    return written


# A task still running after this long was lost with its worker, wherever that ran.
LOST_AFTER = dt.timedelta(minutes=30)


def imports_resume(now: dt.datetime | None = None) -> list[int]:
    """Queue again the check or the write of imports whose task was lost, and return
    their ids. A worker killed in the middle of a task leaves it "running" for ever,
    so its job would stay validating or importing, neither finished nor cancellable.
    A task is lost when the worker that claimed it ran on this machine and is gone
    (`headway worker` names itself host:pid), or when it has run over LOST_AFTER; a
    job whose task never reached the queue is resumed too. Run by `headway worker` at
    start. Safe beside a task that is in fact alive: the write claims its job in its
    own transaction, and a check stores its result only while the job is validating."""
    from django_tasks_db.models import DBTaskResult

    from .tasks import import_validate_task, import_write_task

    tasks = {
        ImportStatus.VALIDATING: import_validate_task,
        ImportStatus.IMPORTING: import_write_task,
    }
    cutoff = (now or timezone.now()) - LOST_AFTER
    alive: set[tuple[str, int]] = set()
    for path, status, started, args, workers in DBTaskResult.objects.filter(
        task_path__in=[task.module_path for task in tasks.values()],
        status__in=["READY", "RUNNING"],
    ).values_list("task_path", "status", "started_at", "args_kwargs", "worker_ids"):
        lost = status == "RUNNING" and (
            (started is not None and started < cutoff) or _worker_gone(workers)
        )
        if not lost and args.get("args"):
            alive.add((path, args["args"][0]))
    resumed = []
    for job_id, status in ImportJob.objects.filter(status__in=list(tasks)).values_list(
        "pk", "status"
    ):
        task = tasks[ImportStatus(status)]
        if (task.module_path, job_id) not in alive:
            task.enqueue(job_id)
            resumed.append(job_id)
    if resumed:
        logger.warning("Imports %s lost their task (a worker stopped); queued again.", resumed)
    return resumed


def _worker_gone(worker_ids: list[str]) -> bool:
    """Whether the worker that last claimed a task ran on this machine and has ended."""
    from headway.notify.schedule import worker_name

    host = worker_name().rsplit(":", 1)[0]
    claimed_by = worker_ids[-1] if worker_ids else ""
    where, _, pid = claimed_by.rpartition(":")
    if where != host or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # it exists, under another user
    return False
