"""Live coach hints on the objective and key-result forms.

While someone types, HTMX posts the form to /o/<org>/coach/hints/ (debounced) and
swaps in a small fragment; the same fragment is rendered by the form page itself on
a POST with errors and on an edit page, so people without JavaScript see the hints.
"""

from __future__ import annotations

import re

from django.test import Client

from tests.conftest import logged_in
from tests.web.conftest import Okrs
from tests.web.test_csp import assert_strict_page
from tests.web.test_goals_pages import page, text

HTMX = {"HX-Request": "true"}


def hints_url(okrs: Okrs, wanted: str) -> str:
    return okrs.url(f"coach/hints/?for={wanted}")


def hint(client: Client, url: str, data: dict[str, str]) -> str:
    response = client.post(url, data, headers=HTMX)
    assert response.status_code == 200, response.content
    return response.content.decode()


def hints_block(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return text(html[start : html.index("</div>", html.index("</ul>", start))])


# --------------------------------------------------------------------------- the forms ask


def test_the_new_objective_form_asks_for_hints_while_typing(okrs: Okrs) -> None:
    response = logged_in(okrs.world.bob).get(okrs.url("objectives/new/"))
    assert_strict_page(response)
    html = response.content.decode()
    assert 'hx-post="/o/acme/coach/hints/?for=objective"' in html
    for n in range(5):
        assert f'hx-post="/o/acme/coach/hints/?for=kr-{n}"' in html
        assert f'id="kr-{n}-coach-hints"' in html
    triggers = re.findall(r'hx-trigger="([^"]+)"', html)
    assert triggers.count("keyup changed delay:500ms, change") == 5
    assert "keyup changed delay:500ms" in triggers
    assert 'aria-live="polite"' in html
    assert "Coach" not in text(html[html.index('id="objective-coach-hints"') :][:300])


def test_the_edit_forms_show_the_hints_of_the_saved_values(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    html = page(client, okrs.url(f"objectives/{okrs.platform.pk}/edit/"))
    assert f"?for=objective&amp;objective={okrs.platform.pk}" in html
    assert "nothing to add" in text(html)
    html = page(client, okrs.url(f"key-results/{okrs.deploys.pk}/edit/"))
    assert 'hx-post="/o/acme/coach/hints/?for=kr"' in html
    assert "This reads like an output" in hints_block(html, "kr-coach-hints")


# --------------------------------------------------------------------------- the endpoint answers


def test_it_hints_on_an_objective_with_a_number_and_counts_the_rows_typed(okrs: Okrs) -> None:
    data = {"title": "Increase revenue by 20%", "kr-0-title": "Revenue", "kr-1-title": ""}
    html = hint(logged_in(okrs.world.bob), hints_url(okrs, "objective"), data)
    assert "<html" not in html
    assert 'data-code="objective.metric"' in html
    assert "Keep the words as the objective, “Increase revenue”" in text(html)
    assert 'data-code="objective.key_results"' in html  # one row typed


def test_it_counts_the_saved_key_results_of_an_objective_being_edited(okrs: Okrs) -> None:
    url = hints_url(okrs, "objective") + f"&objective={okrs.platform.pk}"
    html = hint(logged_in(okrs.world.bob), url, {"title": "Ship without fear"})
    assert "nothing to add" in text(html)
    secret = hints_url(okrs, "objective") + f"&objective={okrs.secret.pk}"
    response = logged_in(okrs.world.bob).post(secret, {"title": "x"}, headers=HTMX)
    assert response.status_code == 404


def test_it_hints_on_one_row_of_the_new_objective_form(okrs: Okrs) -> None:
    data = {
        "kr-0-title": "Revenue",
        "kr-2-title": "Alert rules editor released",
        "kr-2-kind": "milestone",
    }
    html = hint(logged_in(okrs.world.bob), hints_url(okrs, "kr-2"), data)
    assert 'data-code="kr.output"' in html
    assert "use the alert rules editor each week" in text(html)
    assert "As a milestone it only says whether the work is done." in text(html)


def test_it_reads_the_structure_of_the_key_result_form(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    data = {"title": "Revenue", "kind": "increase", "start_value": "", "target_value": "100"}
    html = hint(client, hints_url(okrs, "kr"), {**data, "unit": "kEUR", "format": "currency"})
    assert 'data-code="kr.no_baseline"' in html
    data = {"title": "On-time delivery rate", "kind": "increase", "start_value": "88"}
    html = hint(client, hints_url(okrs, "kr"), {**data, "target_value": "95", "format": "percent"})
    assert "it reads as an outcome" in text(html)


def test_bad_input_gets_defined_hints(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url = hints_url(okrs, "kr")
    assert "Coach" not in hint(client, url, {"title": "   "})  # nothing typed, nothing said
    assert 'data-code="number_only"' in hint(client, url, {"title": "42"})
    long = hint(client, url, {"title": "Grow weekly active users " * 60})
    assert 'data-code="cut"' in long and "first 500 characters" in text(long)
    french = hint(client, url, {"title": "Réduire les délais de livraison pour nos clients"})
    assert 'data-code="not_english"' in french and 'data-code="kr.output"' not in french
    odd = hint(client, url, {"title": "Revenue", "kind": "sideways", "target_value": "lots"})
    assert 'data-code="kr.not_measurable"' in odd
    assert hint(client, hints_url(okrs, "kr-x"), {"title": "Revenue"})  # unknown row: no prefix


def test_the_endpoint_is_for_members_only_and_posts_only(okrs: Okrs) -> None:
    url = hints_url(okrs, "kr")
    assert logged_in(okrs.world.charlie).post(url, {"title": "x"}).status_code == 404
    anonymous = Client().post(url, {"title": "x"})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert logged_in(okrs.world.bob).get(url).status_code == 405
    assert logged_in(okrs.world.dave).post(url, {"title": "Revenue"}).status_code == 200
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(okrs.world.bob.user)
    assert strict.post(url, {"title": "x"}).status_code == 403


# --------------------------------------------------------------------------- without JavaScript


def test_a_post_with_errors_shows_the_hints_without_javascript(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    data = {
        "title": "Increase revenue by 20%",  # no cycle, no owner: the form has errors
        "kr-0-title": "Write 12 blog posts",
        "kr-0-kind": "increase",
        "kr-0-target_value": "12",
        "kr-0-weight": "1",
    }
    response = client.post(okrs.url("objectives/new/"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "move the number into a key result" in hints_block(html, "objective-coach-hints")
    row = hints_block(html, "kr-0-coach-hints")
    assert "This reads like an output" in row and "blog posts" in row
    assert "Coach" not in text(html[html.index('id="kr-1-coach-hints"') :][:200])


def test_a_key_result_post_with_errors_shows_its_hints(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url = okrs.url(f"objectives/{okrs.platform.pk}/key-results/new/")
    response = client.post(url, {"title": "Improve customer experience", "kind": "increase"})
    assert response.status_code == 422
    block = hints_block(response.content.decode(), "kr-coach-hints")
    assert "“improve” is vague" in block.lower() or "“improve”" in block
