"""GET /rollout/brief (JSON), /rollout/brief.pdf and /rollout/brief.md."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests import adopted
from tests.adopted import Adopted
from tests.conftest import World, api_client
from tests.pdfpages import page_count

from .conftest import problem, send


@pytest.fixture
def acme(world: World) -> Adopted:
    return adopted.build(world)


@pytest.fixture
def alice(acme: Adopted) -> Client:
    return api_client(acme.world.alice)


def test_it_returns_the_sections_with_every_figure_and_its_source(
    acme: Adopted, alice: Client
) -> None:
    world = acme.world
    body = send(alice, "get", f"/rollout/brief?leader_id={world.bob.pk}&lens=focus").json()
    assert body["leader"]["id"] == world.bob.pk and body["lens"] == "focus"
    assert body["lens_from"] == "asked" and body["sections"][0]["key"] == "focus"
    assert body["headline"]["key"] == "focus.objectives_per_team"
    figures = [f for s in body["sections"] for f in s["figures"]]
    assert figures and all(f["source"].startswith(settings.SITE_URL + "/o/acme/") for f in figures)
    keys = {s["key"] for s in body["sections"]}
    assert keys == {
        "key_results",
        "pilot",
        "corrections",
        "stories",
        "alignment",
        "purpose",
        "focus",
        "adoption",
        "next_phase",
    }


def test_it_answers_problems_for_bad_input(acme: Adopted, alice: Client) -> None:
    world = acme.world
    assert (
        "lens"
        in problem(send(alice, "get", f"/rollout/brief?leader_id={world.bob.pk}&lens=x"), 422)[
            "detail"
        ]
    )
    problem(send(alice, "get", f"/rollout/brief?leader_id={world.charlie.pk}"), 404)
    problem(send(alice, "get", "/rollout/brief"), 422)
    bob = api_client(world.bob)
    problem(send(bob, "get", f"/rollout/brief?leader_id={world.alice.pk}"), 403)
    assert send(bob, "get", f"/rollout/brief?leader_id={world.bob.pk}").status_code == 200


def test_it_sends_the_brief_as_pdf_and_markdown(acme: Adopted, alice: Client) -> None:
    world = acme.world
    pdf = send(alice, "get", f"/rollout/brief.pdf?leader_id={world.alice.pk}&lens=alignment")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and 1 <= page_count(pdf.content) <= 2
    assert "brief-alice-alignment.pdf" in pdf["Content-Disposition"]
    md = send(alice, "get", f"/rollout/brief.md?leader_id={world.bob.pk}")
    assert md.status_code == 200 and md.content.decode().startswith("# Strategy execution")
    problem(
        send(api_client(world.charlie), "get", f"/rollout/brief.pdf?leader_id={world.alice.pk}"),
        404,
    )
