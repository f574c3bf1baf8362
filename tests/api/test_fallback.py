from __future__ import annotations

from django.test import Client


def test_an_unknown_api_path_is_a_problem_json_404(db):
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert "/api/v1/docs" in response.json()["detail"]
