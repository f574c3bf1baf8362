"""The import pages: upload, the job page while the worker checks (an htmx poll), the
problems table, the preview with Confirm, the result with its links; the templates;
owners and admins only, and nothing of Acme for the outsider."""

from __future__ import annotations

from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from headway.transfer import services
from headway.transfer.models import ImportJob
from headway.transfer.selectors import template_example
from headway.transfer.template import template_xlsx
from tests.conftest import logged_in
from tests.transfer.importing import checkin, counts, csv_bytes, key_result, objective

PAGE = "/o/acme/import/"


def upload(client, content: bytes, name: str = "okrs.csv", fmt: str = "template"):
    return client.post(PAGE, {"format": fmt, "file": SimpleUploadedFile(name, content)})


def text(response) -> str:
    return unescape(response.content.decode())


def test_the_page_offers_the_templates_and_the_upload_form(acme_okrs):
    client = logged_in(acme_okrs.world.alice)
    page = text(client.get(PAGE))
    assert "Excel template (.xlsx)" in page and "CSV template (.csv)" in page
    assert 'enctype="multipart/form-data"' in page
    xlsx = client.get(f"{PAGE}template.xlsx")
    assert xlsx["Content-Disposition"] == 'attachment; filename="headway-import.xlsx"'
    assert xlsx.content.startswith(b"PK")
    csv = client.get(f"{PAGE}template.csv")
    assert csv.content.decode("utf-8-sig").startswith("type,ref,title")
    assert "Acme / Operations" in csv.content.decode("utf-8-sig"), "examples use Acme's own names"
    assert client.get(f"{PAGE}template.pdf").status_code == 404


def test_an_upload_is_checked_by_the_worker_while_the_page_polls_then_confirmed(
    acme_okrs, django_capture_on_commit_callbacks
):
    client = logged_in(acme_okrs.world.alice)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = upload(
            client, template_xlsx(template_example(acme_okrs.world.alice)), "okrs.xlsx"
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"{PAGE}{job.pk}/"
    assert (job.format, job.status, job.filename) == ("xlsx", "validating", "okrs.xlsx")
    assert len(queued) == 1, "the check is queued once the upload commits"

    waiting = client.get(response.url)
    assert 'hx-trigger="every 1s"' in text(waiting)
    partial = client.get(response.url, headers={"HX-Request": "true"})
    assert text(partial).strip().startswith('<div id="import-status"') and "<html" not in text(
        partial
    )

    services.import_validate(job.pk)  # what the worker does
    ready = text(client.get(response.url))
    assert "Ready to import" in ready and "hx-trigger" not in ready
    assert "Deliver every order on time" in ready and "Acme / Operations" in ready
    assert "Confirm: import everything" in ready

    before = counts()
    confirmed = client.post(f"{PAGE}{job.pk}/confirm/")
    assert confirmed.status_code == 302
    assert text(client.get(response.url)).count('hx-trigger="every 1s"') == 1
    assert counts() == before, "nothing is written before the worker writes it"
    services.import_write(job.pk)
    done = text(client.get(response.url))
    assert "Imported 2 objectives, 5 key results, 5 check-ins and 2 alignment links." in done
    objective = acme_okrs.world.acme.objectives.get(title="Deliver every order on time")
    assert f'href="/o/acme/objectives/{objective.pk}/"' in done
    assert 'href="/o/acme/teams/operations/"' in done
    assert "Latest imports" in text(client.get(PAGE)) and "okrs.xlsx" in text(client.get(PAGE))


def test_every_problem_is_listed_in_a_table_and_downloadable(acme_okrs):
    client = logged_in(acme_okrs.world.alice)
    rows = [
        objective("O1", "A", team="Hubs"),
        key_result("K1", "O1", "M", start="5", target="5"),
        checkin("K1", "31/02/2026", "1"),
    ]
    upload(client, csv_bytes(rows))
    job = ImportJob.objects.get()
    services.import_validate(job.pk)
    page = text(client.get(f"{PAGE}{job.pk}/"))
    assert "3 problems to fix" in page
    assert (
        "names 2 teams" in page
        and "must differ from the start" in page
        and "not a date of the calendar" in page
    )
    assert "Confirm" not in page
    listed = client.get(f"{PAGE}{job.pk}/problems.csv").content.decode()
    assert listed.splitlines()[0] == "sheet,row,column,message"
    assert len(listed.splitlines()) == 4


def test_a_bad_upload_is_refused_on_the_form(acme_okrs):
    client = logged_in(acme_okrs.world.alice)
    response = upload(client, b"")
    assert response.status_code == 422
    assert "The submitted file is empty." in text(response) or "The file is empty" in text(response)
    response = upload(client, b"x" * (services.MAX_UPLOAD + 1))
    assert response.status_code == 422 and "the limit is 20 MB" in text(response)
    assert not ImportJob.objects.exists()


def test_a_job_can_be_cancelled_until_it_is_written(acme_okrs):
    client = logged_in(acme_okrs.world.alice)
    upload(client, csv_bytes([objective("O1", "A", team="Platform")]))
    job = ImportJob.objects.get()
    services.import_validate(job.pk)
    response = client.post(f"{PAGE}{job.pk}/cancel/")
    assert response.status_code == 302 and response.url == PAGE
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_members_and_viewers_may_not_import(acme_okrs, persona):
    member = getattr(acme_okrs.world, persona)
    job = services.import_upload(
        member=acme_okrs.world.alice, filename="a.csv", content=b"x", format="csv", queue=False
    )
    client = logged_in(member)
    for url in (PAGE, f"{PAGE}{job.pk}/", f"{PAGE}{job.pk}/problems.csv"):
        assert client.get(url).status_code == 403, url
    for url in (f"{PAGE}{job.pk}/confirm/", f"{PAGE}{job.pk}/cancel/"):
        assert client.post(url).status_code == 403, url
    assert upload(client, b"type,ref\n").status_code == 403
    assert ImportJob.objects.count() == 1


def test_the_outsider_sees_nothing_of_acme(acme_okrs):
    job = services.import_upload(
        member=acme_okrs.world.alice, filename="a.csv", content=b"x", format="csv", queue=False
    )
    charlie = logged_in(acme_okrs.world.charlie)
    for url in (PAGE, f"{PAGE}{job.pk}/", f"{PAGE}template.csv"):
        assert charlie.get(url).status_code == 404, url
    assert charlie.post(f"{PAGE}{job.pk}/confirm/").status_code == 404
    # Through his own organisation's pages, Acme's job is not there either.
    for url in (f"/o/globex/import/{job.pk}/", f"/o/globex/import/{job.pk}/problems.csv"):
        assert charlie.get(url).status_code == 404, url
    assert charlie.post(f"/o/globex/import/{job.pk}/cancel/").status_code == 404
    assert ImportJob.objects.filter(pk=job.pk).exists()
