"""The leader brief's page, its PDF and its Markdown download."""

from __future__ import annotations

import pytest
from django.conf import settings

from headway.rollout.brief import LENSES
from tests import adopted
from tests.adopted import Adopted
from tests.conftest import World, logged_in
from tests.pdfpages import page_count

BRIEF = "/o/acme/rollout/brief/"


@pytest.fixture
def acme(world: World) -> Adopted:
    return adopted.build(world)


def test_an_admin_reads_any_members_brief_and_the_page_offers_the_form(acme: Adopted) -> None:
    world = acme.world
    response = logged_in(world.alice).get(BRIEF, {"leader": world.bob.pk, "lens": "alignment"})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="brief-form"' in text and 'id="brief-headline"' in text
    assert "Alignment: a brief for Bob" in text
    assert f'href="/o/acme/rollout/brief.pdf?leader={world.bob.pk}&amp;lens=alignment"' in text
    form_only = logged_in(world.alice).get(BRIEF)
    assert form_only.status_code == 200 and 'id="brief-headline"' not in form_only.content.decode()


def test_the_leader_reads_their_own_brief_and_no_one_elses(acme: Adopted) -> None:
    world = acme.world
    bob = logged_in(world.bob)
    assert bob.get(BRIEF, {"leader": world.bob.pk}).status_code == 200
    assert bob.get(BRIEF, {"leader": world.alice.pk}).status_code == 403
    assert logged_in(world.dave).get(BRIEF, {"leader": world.bob.pk}).status_code == 403


def test_another_organisations_leader_or_member_gets_404(acme: Adopted) -> None:
    world = acme.world
    assert logged_in(world.alice).get(BRIEF, {"leader": world.charlie.pk}).status_code == 404
    assert logged_in(world.charlie).get(BRIEF, {"leader": world.alice.pk}).status_code == 404
    assert logged_in(world.charlie).get("/o/acme/rollout/brief.pdf").status_code == 404


def test_an_unknown_lens_is_refused_with_the_five_that_exist(acme: Adopted) -> None:
    response = logged_in(acme.world.alice).get(BRIEF, {"leader": acme.world.alice.pk, "lens": "x"})
    assert response.status_code == 422
    assert all(lens in response.content.decode() for lens in LENSES)


def test_the_pdf_is_a_pdf_of_one_or_two_pages(acme: Adopted) -> None:
    world = acme.world
    response = logged_in(world.alice).get(
        "/o/acme/rollout/brief.pdf", {"leader": world.alice.pk, "lens": "engagement"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="brief-alice-engagement.pdf"'
    assert response.content.startswith(b"%PDF")
    assert 1 <= page_count(response.content) <= 2


def test_the_markdown_download_links_every_number_to_its_page(acme: Adopted) -> None:
    world = acme.world
    response = logged_in(world.bob).get("/o/acme/rollout/brief.md", {"leader": world.bob.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    assert "brief-bob-strategy-execution.md" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("# Strategy execution: a brief for Bob")
    assert f"]({settings.SITE_URL}/o/acme/" in text


def test_the_page_prints_as_the_brief_alone() -> None:
    from pathlib import Path

    css = (Path(settings.BASE_DIR) / "headway/static/headway/app.css").read_text()
    printed = css[css.index("@media print") :]
    assert ".topbar" in printed and ".no-print" in printed and "@page { size: A4" in css
