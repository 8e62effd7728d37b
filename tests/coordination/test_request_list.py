"""The coordinators' request list: filters that are bookmarks, pages of fifty, only the pool's own requests."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from sprachmittlerpool.models import RequestStatus
from sprachmittlerpool.services.request_lists import PAGE_SIZE, RequestFilter, parse_filter
from tests.coordination.day_world import second_pool

LIST_PATH = "/koordination/anfragen"
DAY = date(2026, 12, 4)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time()).replace(hour=hour)


def page(client, query: str = "") -> str:
    response = client.get(f"{LIST_PATH}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def table(html: str) -> str:
    """Return the list's rows only (the filter's choices name every language, town and institution)."""
    return html[html.index("<tbody>") : html.index("</tbody>")] if "<tbody>" in html else ""


def request_at(factories, day: date, hour: int = 10, **values):
    start = at(day, hour)
    return factories.RequestFactory(start=start, end=start + timedelta(hours=1), **values)


def test_the_filter_reads_the_query_string_and_writes_it_back():
    wanted, problems = parse_filter(
        {
            "status": "nicht-besetzt",
            "von": "2026-12-01",
            "bis": "2026-12-31",
            "sprache": "uk",
            "ort": "heinsberg",
            "einrichtung": "7",
            "suche": " Regenbogen ",
            "seite": "3",
        }
    )

    assert problems == []
    assert wanted == RequestFilter(
        status=RequestStatus.UNFILLED,
        first=date(2026, 12, 1),
        last=date(2026, 12, 31),
        language="uk",
        municipality="heinsberg",
        institution_id=7,
        text="Regenbogen",
        page=3,
    )
    assert parse_filter(wanted.query_args())[0] == RequestFilter(**{**wanted.__dict__, "page": 1})


def test_an_unreadable_filter_is_left_out_and_named_in_german():
    wanted, problems = parse_filter(
        {"von": "4.12.2026", "bis": "2026-12-01", "status": "quatsch", "einrichtung": "x", "seite": "-1"}
    )

    assert wanted == RequestFilter(last=date(2026, 12, 1))
    assert problems == ["Das Datum „von“ ließ sich nicht lesen; es wurde nicht berücksichtigt."]


def test_a_reversed_period_is_swapped_and_said():
    wanted, problems = parse_filter({"von": "2026-12-31", "bis": "2026-12-01"})

    assert (wanted.first, wanted.last) == (date(2026, 12, 1), date(2026, 12, 31))
    assert "getauscht" in problems[0]


def test_the_list_is_sorted_by_appointment_and_shows_status_in_german(coordinator_client, factories):
    request_at(factories, DAY + timedelta(days=2), status=RequestStatus.UNFILLED, address="Späte Straße 1")
    request_at(factories, DAY, 8, status=RequestStatus.OPEN, urgent=True, address="Frühe Straße 2")

    html = page(coordinator_client)

    assert "2 Anfragen gefunden" in html
    assert html.index("04.12.2026") < html.index("06.12.2026")
    assert "08:00–09:00 Uhr" in html
    assert "nicht besetzt" in html and "dringend" in html and "Ukrainisch" in html
    assert ">unfilled<" not in html


def test_status_period_language_town_and_institution_narrow_the_list(coordinator_client, factories):
    kita = factories.InstitutionFactory(name="Kita Sonnenschein")
    school = factories.InstitutionFactory(name="Gesamtschule Nord", type="schule")
    request_at(factories, DAY, institution_id=kita.id, contact_name="Treffer Eins")
    request_at(
        factories, DAY, status=RequestStatus.REJECTED, institution_id=kita.id, contact_name="Abgelehnt"
    )
    request_at(factories, DAY + timedelta(days=40), institution_id=kita.id, contact_name="Zu spät")
    request_at(factories, DAY, language_code="ar", institution_id=kita.id, contact_name="Arabisch")
    request_at(factories, DAY, municipality_id="erkelenz", institution_id=kita.id, contact_name="Erkelenz")
    request_at(factories, DAY, institution_id=school.id, contact_name="Schule")

    html = page(
        coordinator_client,
        f"?status=offen&von=2026-12-01&bis=2026-12-31&sprache=uk&ort=heinsberg&einrichtung={kita.id}",
    )

    assert "Treffer Eins" in html and "1 Anfrage gefunden" in html
    for other in ("Abgelehnt", "Zu spät", "Arabisch", "Erkelenz", "Schule"):
        assert other not in table(html)


def test_unfilled_and_rejected_requests_have_their_own_filters(coordinator_client, factories):
    request_at(factories, DAY, status=RequestStatus.UNFILLED, contact_name="Niemand gefunden")
    request_at(factories, DAY, status=RequestStatus.REJECTED, contact_name="Regel griff")
    request_at(factories, DAY, contact_name="Noch offen")

    unfilled = page(coordinator_client, "?status=nicht-besetzt")
    rejected = page(coordinator_client, "?status=abgelehnt")
    everything = page(coordinator_client)

    assert "Niemand gefunden" in unfilled and "Regel griff" not in unfilled and "Noch offen" not in unfilled
    assert "Regel griff" in rejected and "Niemand gefunden" not in rejected
    assert f'href="{LIST_PATH}?status=nicht-besetzt"' in everything
    assert f'href="{LIST_PATH}?status=abgelehnt"' in everything


@pytest.mark.parametrize("text", ["Sonnenschein", "sonnen", "Frau Yilmaz", "Lindenweg", "Nr. {id}", "{id}"])
def test_the_text_finds_a_request_by_institution_contact_address_or_number(
    coordinator_client, factories, text
):
    kita = factories.InstitutionFactory(name="Kita Sonnenschein")
    wanted = request_at(
        factories, DAY, institution_id=kita.id, contact_name="Frau Yilmaz", address="Lindenweg 4"
    )
    other = factories.InstitutionFactory(name="Kita Nebenan")
    request_at(factories, DAY, institution_id=other.id, contact_name="Herr Anders", address="Bahnhofstraße")

    html = page(coordinator_client, "?suche=" + text.format(id=wanted.id).replace(" ", "+"))

    assert "Frau Yilmaz" in html and "Herr Anders" not in html


def test_a_percent_sign_in_the_text_is_no_wildcard(coordinator_client, factories):
    request_at(factories, DAY, contact_name="Frau Yilmaz")

    html = page(coordinator_client, "?suche=%25")

    assert "Keine Anfrage passt zu dieser Auswahl." in html


def test_the_list_comes_in_pages_of_fifty_that_keep_the_filter(coordinator_client, factories, db):
    kita = factories.InstitutionFactory(name="Kita Viele")
    for n in range(PAGE_SIZE + 3):
        request_at(factories, DAY + timedelta(days=n // 10), 8 + n % 10, institution_id=kita.id)
    request_at(factories, DAY, status=RequestStatus.REJECTED, institution_id=kita.id)

    first = page(coordinator_client, "?status=offen")
    second = page(coordinator_client, "?status=offen&seite=2")
    beyond = page(coordinator_client, "?status=offen&seite=99")

    assert "53 Anfragen gefunden, Seite 1 von 2" in first
    assert table(first).count("<tr>") == PAGE_SIZE
    assert f'href="{LIST_PATH}?seite=2&amp;status=offen"' in first
    assert table(second).count("<tr>") == 3 and "Seite 2 von 2" in second
    assert "Seite 2 von 2" in beyond


def test_another_pools_requests_never_appear(coordinator_client, db, factories):
    elsewhere = second_pool(db)
    request_at(factories, DAY, contact_name="Fremde Leitung", **elsewhere)
    request_at(factories, DAY, contact_name="Eigene Leitung")

    html = page(coordinator_client)
    searched = page(coordinator_client, "?suche=Anderswo")
    by_institution = page(coordinator_client, f"?einrichtung={elsewhere['institution_id']}")

    assert "Eigene Leitung" in html and "Fremde Leitung" not in html and "Kita Anderswo" not in html
    assert "Anderswo" not in html  # neither as a row nor as a choice of town or institution
    assert "1 Anfrage gefunden" in html
    assert "Fremde Leitung" not in searched and "Fremde Leitung" not in by_institution


def test_the_navigation_and_the_dashboard_counters_lead_to_the_list(coordinator_client, factories):
    request_at(factories, DAY, status=RequestStatus.UNFILLED)

    html = page(coordinator_client, "")
    dashboard = coordinator_client.get("/koordination/").get_data(as_text=True)

    assert f'<a href="{LIST_PATH}">Anfragen</a>' in html
    for slug in ("offen", "pruefung", "nicht-besetzt"):
        assert f'href="{LIST_PATH}?status={slug}"' in dashboard


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(LIST_PATH)

    assert response.status_code == 302
    assert "/anmelden" in response.headers["Location"]
