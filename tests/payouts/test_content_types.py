"""Every text download names its charset exactly once (a doubled parameter makes importers guess)."""

from __future__ import annotations

import pytest

TEXT_URLS = (
    "/payouts/2025-03.csv",
    "/berichte.csv?from=2025-01-01&to=2025-12-31",
    "/auszahlungen",
    "/auszahlungen/2025-03",
    "/berichte",
    "/api/v1/payouts/2025-03",
)


@pytest.mark.parametrize("url", TEXT_URLS)
def test_a_text_answer_carries_one_charset(coordinator_client, march, url) -> None:
    response = coordinator_client.get(url)

    assert response.status_code == 200
    (content_type,) = response.headers.getlist("Content-Type")
    charsets = content_type.lower().count("charset=")
    assert charsets <= 1, content_type
    if response.mimetype.startswith("text/"):
        assert charsets == 1 and "charset=utf-8" in content_type.lower(), content_type


def test_every_csv_route_of_the_app_answers_with_one_utf8_charset(
    app, coordinator_client, operator_client, march
) -> None:
    csv_rules = sorted(
        rule.rule for rule in app.url_map.iter_rules() if ".csv" in rule.rule or "<ext>" in rule.rule
    )
    assert csv_rules, "the sweep found no CSV route"
    for rule in csv_rules:
        url = rule.replace("<month>", "2025-03").replace("<ext>", "csv")
        client = (
            operator_client if url.startswith("/betrieb/") else coordinator_client
        )  # the operator's own files
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8", url
