"""A volunteer's page: assignments ahead and behind, declined offers with the reason, the year's allowance against
the Ehrenamtspauschale, the absences, and the form that still saves."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from sprachmittlerpool.models import (
    AssignmentStatus,
    InterpretingRequest,
    OfferStatus,
    PayoutEntry,
    PayoutMonth,
    RequestStatus,
    local_now,
)
from sprachmittlerpool.services.volunteer_history import YearAllowance
from tests.coordination.day_world import assignment_at, offer_for, second_pool

YEAR = local_now().year


def detail(client, volunteer_id: int) -> str:
    response = client.get(f"/koordination/sprachmittelnde/{volunteer_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section(html: str, anchor: str) -> str:
    """Return the part of the page from the section with this id to the next section."""
    start = html.index(f'id="{anchor}"')
    following = html.find('<section class="card"', start)
    return html[start : following if following > 0 else len(html)]


def completed(db, factories, volunteer, start: datetime, cents: int, **request):
    """Create a completed assignment with its allowance booked into the month of its appointment."""
    assignment = assignment_at(db, factories, start, volunteer=volunteer, **request)
    assignment.status = AssignmentStatus.COMPLETED
    assignment.outcome = "took_place"
    assignment.duration_minutes = 60
    assignment.allowance_cents = cents
    request_row = db.get(InterpretingRequest, assignment.request_id)
    request_row.status = RequestStatus.COMPLETED
    db.add_all([assignment, request_row])
    db.commit()
    month = f"{start:%Y-%m}"
    row = db.exec(
        select(PayoutMonth).where(PayoutMonth.pool_id == assignment.pool_id, PayoutMonth.month == month)
    ).first()
    if row is None:
        row = PayoutMonth(pool_id=assignment.pool_id, month=month)
        db.add(row)
        db.commit()
    db.add(
        PayoutEntry(
            pool_id=assignment.pool_id,
            payout_month_id=row.id,
            volunteer_id=volunteer.id,
            volunteer_pool_id=assignment.volunteer_pool_id,
            assignment_id=assignment.id,
            amount_cents=cents,
        )
    )
    db.commit()
    return assignment


def test_assignments_ahead_and_behind_with_institution_language_status_and_allowance(
    coordinator_client, db, factories
):
    olena = factories.VolunteerFactory(name="Olena Kowalenko")
    kita = factories.InstitutionFactory(name="Kita Pusteblume")
    school = factories.InstitutionFactory(name="Grundschule Am Park", type="schule")
    soon = local_now().replace(second=0) + timedelta(days=3)
    assignment_at(db, factories, soon, volunteer=olena, institution_id=kita.id)
    completed(
        db, factories, olena, datetime(YEAR, 1, 14, 9), 3250, institution_id=school.id, language_code="ru"
    )
    assignment_at(
        db,
        factories,
        datetime(YEAR, 1, 20, 9),
        volunteer=olena,
        status=AssignmentStatus.CANCELLED,
        institution_id=school.id,
    )

    html = detail(coordinator_client, olena.id)

    upcoming = html[html.index("Anstehende Einsätze") : html.index("Vergangene Einsätze")]
    past = html[html.index("Vergangene Einsätze") : html.index('id="absagen"')]
    assert "Kita Pusteblume" in upcoming and soon.strftime("%d.%m.%Y") in upcoming and "bestätigt" in upcoming
    assert "Grundschule Am Park" not in upcoming
    assert f"14.01.{YEAR}" in past and "Russisch" in past and "durchgeführt" in past and "32,50 €" in past
    assert f"20.01.{YEAR}" in past and "storniert" in past
    assert past.index(f"20.01.{YEAR}") < past.index(f"14.01.{YEAR}")  # the latest first


def test_declined_offers_show_the_volunteers_reason(coordinator_client, db, factories):
    olena = factories.VolunteerFactory()
    request, offer, _ = offer_for(
        db, factories, datetime(YEAR, 2, 3, 10), volunteer=olena, status=OfferStatus.DECLINED
    )
    offer.decline_reason = "An dem Tag bin ich beim Arzt."
    offer.answered_at = datetime(YEAR, 1, 28, 18, 5)
    db.add(offer)
    db.commit()

    declines = section(detail(coordinator_client, olena.id), "absagen")

    assert "An dem Tag bin ich beim Arzt." in declines
    assert f"28.01.{YEAR}" in declines and f"03.02.{YEAR}, 10:00 Uhr" in declines
    assert f'href="/koordination/anfragen/{request.id}"' in declines


def test_the_year_allowance_is_set_against_the_ehrenamtspauschale(coordinator_client, db, factories):
    olena = factories.VolunteerFactory()
    completed(db, factories, olena, datetime(YEAR, 3, 2, 10), 50000)
    completed(db, factories, olena, datetime(YEAR, 4, 6, 10), 30050)
    completed(db, factories, olena, datetime(YEAR - 1, 12, 7, 10), 40000)  # last year's does not count

    allowance = section(detail(coordinator_client, olena.id), "pauschale")

    assert f"Ehrenamtspauschale {YEAR}" in allowance and "Aufwandsentschädigung gebucht" in allowance
    assert "800,50 €" in allowance and "960,00 €" in allowance and "159,50 €" in allowance
    assert 'max="96000" value="80050"' in allowance
    assert "80 % der Ehrenamtspauschale sind erreicht." in allowance


def test_a_shared_volunteers_work_for_another_pool_counts_toward_the_limit_but_stays_off_the_lists(
    coordinator_client, db, factories
):
    elsewhere = second_pool(db)
    olena = factories.VolunteerFactory(name="Olena Geteilt")
    completed(db, factories, olena, datetime(YEAR, 2, 9, 10), 12000, **elsewhere)
    offer_for(
        db, factories, datetime(YEAR, 2, 10, 10), volunteer=olena, status=OfferStatus.DECLINED, **elsewhere
    )

    html = detail(coordinator_client, olena.id)

    assert "Kita Anderswo" not in html
    assert "Noch keine vergangenen Einsätze." in html and "Keine abgelehnten Angebote." in html
    assert "120,00 €" in section(html, "pauschale")


def test_above_the_limit_nothing_remains_and_the_excess_is_named():
    above = YearAllowance(year=2026, total=Decimal("970.00"), limit=Decimal("960.00"))
    below = YearAllowance(year=2026, total=Decimal("100.00"), limit=Decimal("960.00"))

    assert (above.warning, above.remaining, above.over) == ("100", Decimal("0.00"), Decimal("10.00"))
    assert (below.warning, below.remaining, below.over) == (None, Decimal("860.00"), Decimal("0.00"))


def test_the_limit_reached_is_said_plainly(coordinator_client, db, factories):
    olena = factories.VolunteerFactory()
    completed(db, factories, olena, datetime(YEAR, 3, 2, 10), 97000)

    allowance = section(detail(coordinator_client, olena.id), "pauschale")

    assert "Die Ehrenamtspauschale ist erreicht" in allowance
    assert "darüber" in allowance and "10,00 €" in allowance
    assert 'max="96000" value="96000"' in allowance


def test_the_page_still_edits_the_volunteer_and_keeps_the_absences(coordinator_client, db, factories):
    olena = factories.VolunteerFactory(name="Olena Alt", phone="0171 1")
    url = f"/koordination/sprachmittelnde/{olena.id}"
    form = {
        "name": "Olena Neu",
        "email": olena.email,
        "phone": "0171 2",
        "gender": "f",
        "home": "heinsberg",
        "max_distance_km": "30",
        "max_per_week": "3",
        "languages": ["uk"],
        "availability": "Mo 08:00-18:00",
        "active": "1",
    }

    saved = coordinator_client.post(url, data=form)
    away = coordinator_client.post(f"{url}/abwesenheiten", data={"start": "2030-05-01", "end": "2030-05-03"})
    broken = coordinator_client.post(url, data=form | {"max_per_week": "viele"})
    html = detail(coordinator_client, olena.id)

    assert saved.status_code == 302 and away.status_code == 302
    assert "Olena Neu" in html and 'id="angaben"' in html and "01.05.2030" in section(html, "abwesenheiten")
    assert broken.status_code == 422
    assert '<a href="#angaben">Bitte die markierten Angaben prüfen.</a>' in broken.get_data(as_text=True)


def test_a_new_volunteer_form_has_no_history(coordinator_client):
    html = coordinator_client.get("/koordination/sprachmittelnde/neu").get_data(as_text=True)

    assert "Anstehende Einsätze" not in html and "Ehrenamtspauschale" not in html
    assert 'name="name"' in html


def test_another_pools_volunteer_is_not_found(coordinator_client, db, factories):
    second_pool(db)
    stranger = factories.VolunteerFactory(pool_id=2, home_id="anderswo", languages=["uk"])

    assert coordinator_client.get(f"/koordination/sprachmittelnde/{stranger.id}").status_code == 404


def test_an_erased_volunteer_keeps_the_record_without_the_form(coordinator_client, db, factories):
    olena = factories.VolunteerFactory()
    completed(db, factories, olena, datetime(YEAR, 3, 2, 10), 2000)
    coordinator_client.post(f"/koordination/sprachmittelnde/{olena.id}/loeschen", data={"confirm": "ja"})

    html = detail(coordinator_client, olena.id)

    assert "Die persönlichen Daten dieser Person wurden am" in html
    assert f"02.03.{YEAR}" in html and "20,00 €" in section(html, "pauschale")
    assert 'name="email"' not in html


def test_only_the_latest_declines_are_listed_with_a_hint(coordinator_client, db, factories):
    from sprachmittlerpool.services.volunteer_history import DECLINES_SHOWN

    olena = factories.VolunteerFactory()
    first = datetime(YEAR, 1, 5, 10)
    for day in range(DECLINES_SHOWN + 1):
        _request, offer, _ = offer_for(
            db, factories, first + timedelta(days=day), volunteer=olena, status=OfferStatus.DECLINED
        )
        offer.answered_at = first + timedelta(days=day) - timedelta(days=2)
        offer.decline_reason = f"Grund {day}"
        db.commit()

    declines = section(detail(coordinator_client, olena.id), "absagen")

    assert f"Die letzten {DECLINES_SHOWN}." in declines
    assert "Grund 0<" not in declines and f"Grund {DECLINES_SHOWN}<" in declines  # the oldest one drops out
    assert declines.count("Grund ") == DECLINES_SHOWN
