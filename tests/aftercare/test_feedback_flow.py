"""The whole aftercare round through a real SMTP server: both sides get one mail, follow its link and answer;
the coordinator sees the debriefing wish at once, the feedback on the request page, and marks the talk handled."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from notifications.relay import deliver_due
from sprachmittlerpool.models import local_now
from tests.aftercare.world import ask, completed, feedback_rows
from tests.confirm import CONFIRMED

LINK = re.compile(r"http://localhost(/rueckmeldung/[\w\-]+)")


@pytest.fixture
def app_config(app_config, smtp_server):
    """Send the mails to a real SMTP server in this process."""
    app_config.update(smtp_server.config())
    return app_config


def _links_by_recipient(app: Flask, smtp_server, count: int) -> dict[str, str]:
    deliver_due(app, now=local_now())
    found = {}
    for message in smtp_server.wait_for(count):
        text = message.get_body(("plain",)).get_content()
        if match := LINK.search(text):
            found[str(message["To"])] = match.group(1)
    return found


def test_both_sides_answer_through_the_mailed_links_and_the_coordinator_sees_it(
    app, client, coordinator_client, db, factories, smtp_server
) -> None:
    assignment = completed(app, db, factories)
    assert ask(app).startswith("2 ")

    links = _links_by_recipient(app, smtp_server, 2)
    rows = {row.side: row for row in feedback_rows(db, assignment.id)}
    assert len(links) == 2 and set(rows) == {"volunteer", "institution"}
    subjects = sorted(str(m["Subject"]) for m in smtp_server.messages)
    assert subjects[0].startswith("Ihre Rückmeldung zur Sprachmittlung am")
    assert subjects[1].startswith("Wie ist Ihr Einsatz am")
    volunteer_link = next(path for to, path in links.items() if "olena" in to)
    institution_link = next(path for to, path in links.items() if "olena" not in to)

    form = client.get(volunteer_link).get_data(as_text=True)
    assert "Wie ist es gelaufen?" in form and "Nachgespräch" in form
    assert "Nachgespräch" not in client.get(institution_link).get_data(as_text=True)

    sent = client.post(
        volunteer_link, data={"rating": "2", "comment": "Das Gespräch war belastend.", "debriefing": "ja"}
    )
    assert sent.status_code == 200 and "Nachgespräch zu vereinbaren" in sent.get_data(as_text=True)
    again = client.post(volunteer_link, data={"rating": "5"})
    assert again.status_code == 409 and "schon erhalten" in again.get_data(as_text=True)
    assert "schon erhalten" in client.get(volunteer_link).get_data(as_text=True)
    assert client.post(institution_link, data={"rating": "5"}).status_code == 200

    dashboard = coordinator_client.get("/koordination/").get_data(as_text=True)
    assert 'id="debriefing-count">1<' in dashboard
    assert f"/koordination/anfragen/{assignment.request_id}#rueckmeldungen" in dashboard

    page = coordinator_client.get(f"/koordination/anfragen/{assignment.request_id}").get_data(as_text=True)
    assert (
        "Bewertung: 2 von 5" in page
        and "Bewertung: 5 von 5" in page
        and "Das Gespräch war belastend." in page
    )
    assert "Rückmeldung der Sprachmittlerin / des Sprachmittlers eingegangen – Nachgespräch gewünscht" in page
    assert "Rückmeldung der Einrichtung eingegangen" in page

    feedback_id = rows["volunteer"].id
    url = f"/koordination/rueckmeldungen/{feedback_id}/nachgespraech"
    asked = coordinator_client.post(url)
    assert "als erledigt vermerken?" in asked.get_data(as_text=True)
    assert feedback_rows(db, assignment.id)[0].debriefing_done_at is None  # nothing before the confirmation
    assert coordinator_client.post(url, data=CONFIRMED).status_code == 302

    assert feedback_rows(db, assignment.id)[0].debriefing_done_at is not None
    assert "debriefing-count" not in coordinator_client.get("/koordination/").get_data(as_text=True)
    page = coordinator_client.get(f"/koordination/anfragen/{assignment.request_id}").get_data(as_text=True)
    assert "Nachgespräch als erledigt vermerkt" in page and "Kim Koordination" in page
