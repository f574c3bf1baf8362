"""The imports API: upload (multipart) answers a job to poll; confirm, cancel, the
templates; problem+json errors; owners and admins only, the outsider sees nothing."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from headway.transfer import services
from headway.transfer.models import ImportJob
from tests.api.conftest import API, problem
from tests.conftest import api_client
from tests.transfer.importing import checkin, counts, csv_bytes, key_result, objective


def post_file(client, content: bytes, name: str = "okrs.csv", **form):
    return client.post(f"{API}/imports", {"file": SimpleUploadedFile(name, content), **form})


def rows(acme_okrs):
    return [
        objective("O1", "Deliver on time", team="Operations"),
        key_result("K1", "O1", "On-time deliveries", start="80", target="95"),
        checkin("K1", acme_okrs.today, "85", 6),
    ]


def test_upload_poll_confirm_poll(acme_okrs, django_capture_on_commit_callbacks):
    client = api_client(acme_okrs.world.alice)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = post_file(client, csv_bytes(rows(acme_okrs)))
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["format"], body["filename"]) == ("validating", "csv", "okrs.csv")
    assert len(queued) == 1
    job_id = body["id"]

    services.import_validate(job_id)
    polled = client.get(f"{API}/imports/{job_id}").json()
    assert polled["status"] == "ready" and polled["errors"] == []
    assert polled["preview"]["counts"] == {
        "objectives": 1,
        "key_results": 1,
        "checkins": 1,
        "links": 0,
    }
    assert (polled["progress"], polled["total"]) == (3, 3)

    confirmed = client.post(f"{API}/imports/{job_id}/confirm")
    assert confirmed.status_code == 202 and confirmed.json()["status"] == "importing"
    services.import_write(job_id)
    done = client.get(f"{API}/imports/{job_id}").json()
    assert done["status"] == "done"
    assert done["created"]["objectives"] == 1 and done["finished_at"]
    listed = client.get(f"{API}/imports").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == job_id

    again = client.post(f"{API}/imports/{job_id}/confirm")
    problem(again, 409, "status")


def test_problems_come_back_with_row_and_column(acme_okrs):
    client = api_client(acme_okrs.world.alice)
    bad = [objective("O1", "A", team="Hubs"), key_result("K1", "O1", "M", start="x")]
    job_id = post_file(client, csv_bytes(bad)).json()["id"]
    services.import_validate(job_id)
    body = client.get(f"{API}/imports/{job_id}").json()
    assert body["status"] == "invalid"
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "team"), (3, "start")]
    problem(client.post(f"{API}/imports/{job_id}/confirm"), 409)


def test_the_format_is_found_from_the_file_or_refused_when_unknown(acme_okrs):
    client = api_client(acme_okrs.world.alice)
    from headway.transfer.template import template_xlsx

    assert post_file(client, template_xlsx(), "t.xlsx").json()["format"] == "xlsx"
    problem(post_file(client, b"a,b\n", format="pdf"), 422, "format")
    problem(post_file(client, b"a,b\n", format="viva", mapping="[1]"), 422, "mapping")
    problem(post_file(client, b""), 422)


def test_a_viva_upload_keeps_its_column_mapping(acme_okrs):
    client = api_client(acme_okrs.world.alice)
    mapping = {"Objective name": "title"}
    body = post_file(
        client, b"Objective name\nGrow\n", "viva.csv", format="viva", mapping=json.dumps(mapping)
    ).json()
    assert ImportJob.objects.get(pk=body["id"]).mapping == mapping


def test_templates_download(acme_okrs):
    client = api_client(acme_okrs.world.bob)  # any member may read the template
    csv = client.get(f"{API}/import-templates/headway-import.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert b"bob@acme.test" in csv.content
    xlsx = client.get(f"{API}/import-templates/headway-import.xlsx")
    assert xlsx.content.startswith(b"PK")
    problem(client.get(f"{API}/import-templates/other.txt"), 404)


def test_cancel_forgets_the_job_but_not_a_done_one(acme_okrs):
    client = api_client(acme_okrs.world.alice)
    job_id = post_file(client, csv_bytes(rows(acme_okrs))).json()["id"]
    assert client.delete(f"{API}/imports/{job_id}").status_code == 204
    assert not ImportJob.objects.filter(pk=job_id).exists()
    problem(client.get(f"{API}/imports/{job_id}"), 404)


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_members_and_viewers_get_403(acme_okrs, persona):
    job = services.import_upload(
        member=acme_okrs.world.alice, filename="a.csv", content=b"x", format="csv", queue=False
    )
    client = api_client(getattr(acme_okrs.world, persona))
    problem(post_file(client, csv_bytes(rows(acme_okrs))), 403)
    problem(client.get(f"{API}/imports"), 403)
    problem(client.get(f"{API}/imports/{job.pk}"), 403)
    problem(client.post(f"{API}/imports/{job.pk}/confirm"), 403)
    problem(client.delete(f"{API}/imports/{job.pk}"), 403)
    assert ImportJob.objects.count() == 1


def test_the_outsider_gets_404_for_acmes_jobs(acme_okrs):
    before = counts()
    job = services.import_upload(
        member=acme_okrs.world.alice,
        filename="a.csv",
        content=csv_bytes(rows(acme_okrs)),
        format="csv",
        queue=False,
    )
    services.import_validate(job.pk)
    client = api_client(acme_okrs.world.charlie)
    problem(client.get(f"{API}/imports/{job.pk}"), 404)
    problem(client.post(f"{API}/imports/{job.pk}/confirm"), 404)
    problem(client.delete(f"{API}/imports/{job.pk}"), 404)
    assert client.get(f"{API}/imports").json()["count"] == 0
    assert ImportJob.objects.get(pk=job.pk).status == "ready"
    assert counts() == before
