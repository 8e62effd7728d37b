"""The day list, the week view and the pending offers: the right rows of the right pool, in order, in German."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from sprachmittlerpool.german import day_long
from sprachmittlerpool.models import AssignmentStatus, OfferStatus, OutboxMail, Outcome, local_now
from tests.coordination.day_world import assignment_at, offer_for, second_pool

DAY = date(2026, 12, 4)  # a Friday
DAY_PATH = "/koordination/einsaetze/tag"
WEEK_PATH = "/koordination/einsaetze/woche"
OFFERS_PATH = "/koordination/angebote"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_german_day_words():
    assert day_long(DAY) == "Freitag, 4. Dezember 2026"
    assert day_long(date(2027, 3, 1)) == "Montag, 1. März 2027"


def test_the_day_list_holds_the_days_confirmed_assignments_only_from_midnight_to_midnight(
    coordinator_client, db, factories
):
    first_volunteer = factories.VolunteerFactory(name="Erste Frühaufsteherin", phone="0171 111")
    early = assignment_at(db, factories, at(DAY, 0, 0), volunteer=first_volunteer)
    early.reminder_sent_at = at(DAY - timedelta(days=1), 18)
    db.add(early)
    db.commit()
    assignment_at(
        db, factories, at(DAY, 23, 0), volunteer=factories.VolunteerFactory(name="Letzte Nachteule")
    )
    assignment_at(db, factories, at(DAY, 9), volunteer=factories.VolunteerFactory(name="Mittlere Person"))
    assignment_at(
        db,
        factories,
        at(DAY - timedelta(days=1), 23, 59),
        volunteer=factories.VolunteerFactory(name="Vortag Person"),
    )
    assignment_at(
        db,
        factories,
        at(DAY + timedelta(days=1), 0, 0),
        volunteer=factories.VolunteerFactory(name="Folgetag Person"),
    )
    assignment_at(
        db,
        factories,
        at(DAY, 11),
        volunteer=factories.VolunteerFactory(name="Abgesagte Person"),
        status=AssignmentStatus.CANCELLED,
    )

    html = page(coordinator_client, f"{DAY_PATH}?datum=2026-12-04")

    assert "Einsätze am Freitag, 4. Dezember 2026" in html
    assert (
        html.index("Erste Frühaufsteherin") < html.index("Mittlere Person") < html.index("Letzte Nachteule")
    )
    for absent in ("Vortag Person", "Folgetag Person", "Abgesagte Person"):
        assert absent not in html
    assert "00:00–01:00 Uhr" in html and "Tel. 0171 111" in html
    assert "Ukrainisch" in html and "Heinsberg" in html and "Apfelstraße 1" in html
    assert "Frau Schneider, Tel. 02452 123456" in html
    assert "Städtische Kita Regenbogen" in html
    assert "erinnert am 03.12.2026, 18:00 Uhr" in html and html.count("noch nicht erinnert") == 2


def test_another_pools_assignments_stay_off_the_lists(coordinator_client, db, factories):
    elsewhere = second_pool(db)
    assignment_at(
        db,
        factories,
        at(DAY, 10),
        volunteer=factories.VolunteerFactory(
            name="Fremde Person", pool_id=2, home_id="anderswo", languages=["uk"]
        ),
        **elsewhere,
    )
    offer_for(
        db,
        factories,
        at(DAY, 12),
        volunteer=factories.VolunteerFactory(
            name="Fremdes Angebot", pool_id=2, home_id="anderswo", languages=["uk"]
        ),
        **elsewhere,
    )
    assignment_at(db, factories, at(DAY, 14), volunteer=factories.VolunteerFactory(name="Eigene Person"))

    day = page(coordinator_client, f"{DAY_PATH}?datum=2026-12-04")
    week = page(coordinator_client, f"{WEEK_PATH}?ab=2026-12-04")
    offers = page(coordinator_client, OFFERS_PATH)

    assert "Eigene Person" in day and "Eigene Person" in week
    assert "Fremde Person" not in day and "Fremde Person" not in week and "Anderswo" not in day
    assert "Fremdes Angebot" not in offers


def test_the_day_list_defaults_to_today_and_links_yesterday_tomorrow_and_the_next_day(coordinator_client):
    today = local_now().date()

    html = page(coordinator_client, DAY_PATH)

    assert day_long(today) in html
    assert "An diesem Tag gibt es keine bestätigten Einsätze." in html
    for other in (today - timedelta(days=1), today + timedelta(days=1)):
        assert f"datum={other.isoformat()}" in html


def test_a_broken_date_says_so_and_shows_today(coordinator_client):
    html = page(coordinator_client, f"{DAY_PATH}?datum=4.12.2026")

    assert "Das Datum ließ sich nicht lesen" in html
    assert day_long(local_now().date()) in html


def test_the_week_runs_monday_to_sunday_and_files_each_assignment_under_its_day(
    coordinator_client, db, factories
):
    assignment_at(
        db, factories, at(date(2026, 11, 30), 8), volunteer=factories.VolunteerFactory(name="Montags Person")
    )
    assignment_at(
        db,
        factories,
        at(date(2026, 12, 6), 23, 30),
        volunteer=factories.VolunteerFactory(name="Sonntags Person"),
    )
    assignment_at(
        db, factories, at(date(2026, 12, 7), 0, 0), volunteer=factories.VolunteerFactory(name="Nächste Woche")
    )

    html = page(coordinator_client, f"{WEEK_PATH}?ab=2026-12-04")

    assert "Woche ab Montag, 30. November 2026" in html
    assert html.index("Montag, 30. November 2026") < html.index("Montags Person")
    assert html.index("Sonntag, 6. Dezember 2026") < html.index("Sonntags Person")
    assert "Nächste Woche" not in html
    assert "ab=2026-11-23" in html and "ab=2026-12-07" in html


def test_pending_offers_are_listed_by_expiry_with_their_mail_state(coordinator_client, db, factories):
    later, _, _ = offer_for(
        db, factories, at(DAY, 15), volunteer=factories.VolunteerFactory(name="Später Ablauf")
    )
    _, sooner_offer, _ = offer_for(
        db,
        factories,
        at(DAY - timedelta(days=1), 9),
        volunteer=factories.VolunteerFactory(name="Früher Ablauf"),
    )
    offer_for(
        db,
        factories,
        at(DAY, 16),
        volunteer=factories.VolunteerFactory(name="Schon abgelehnt"),
        status=OfferStatus.DECLINED,
    )
    db.add(
        OutboxMail(
            pool_id=1,
            dedupe_key=f"offer:{sooner_offer.id}",
            message_id="<t1@example>",
            recipient="x@example.org",
            subject="Angebot",
            body_text="",
            body_html="",
            status="sent",
        )
    )
    db.commit()

    html = page(coordinator_client, OFFERS_PATH)

    assert html.index("Früher Ablauf") < html.index("Später Ablauf")
    assert "Schon abgelehnt" not in html
    assert "02.12.2026, 09:00 Uhr" in html  # the sooner offer lapses a day before its appointment
    assert "zugestellt" in html and "keine E-Mail" in html


def test_the_dashboard_counters_link_to_the_lists(coordinator_client, db, factories):
    offer_for(db, factories, at(DAY, 15))

    html = page(coordinator_client, "/koordination/")

    assert f'href="{OFFERS_PATH}"' in html and f'href="{WEEK_PATH}"' in html
    assert html.index('<span class="figure">1</span> Angebote offen') > 0


@pytest.mark.parametrize("path", [DAY_PATH, WEEK_PATH, OFFERS_PATH])
def test_anonymous_visitors_are_sent_to_the_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert "/anmelden" in response.headers["Location"]


def test_every_withdrawal_reason_has_words_on_the_offers_page_and_in_the_request_history():
    from sprachmittlerpool.services import day_lists, request_history

    assert set(day_lists.WITHDRAWAL_REASONS_DE) == set(request_history.WITHDRAW_REASONS)
    assert set(request_history.OUTCOMES) == {outcome.value for outcome in Outcome}
