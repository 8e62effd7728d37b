"""The coordinators' volunteer list: search, filters, free on a day, sort, pages; only the pool's own people."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sprachmittlerpool.models import Absence, AssignmentStatus, local_now
from sprachmittlerpool.services.volunteer_search import PAGE_SIZE, VolunteerFilter, parse_filter
from tests.coordination.day_world import assignment_at, second_pool

LIST_PATH = "/koordination/sprachmittelnde"
FRIDAY = date(2026, 12, 4)


def page(client, query: str = "") -> str:
    response = client.get(f"{LIST_PATH}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def table(html: str) -> str:
    """Return the list's rows only (the filter's choices name every language and town)."""
    return html[html.index("<tbody>") : html.index("</tbody>")] if "<tbody>" in html else ""


def test_the_filter_reads_the_query_string_and_writes_it_back():
    wanted, problems = parse_filter(
        {
            "suche": " Olena ",
            "sprache": "uk",
            "ort": "heinsberg",
            "status": "aktiv",
            "frei_am": "2026-12-04",
            "sortierung": "einsaetze",
            "seite": "2",
        }
    )

    assert problems == []
    assert wanted == VolunteerFilter("Olena", "uk", "heinsberg", "aktiv", FRIDAY, "einsaetze", 2)
    assert parse_filter(wanted.query_args())[0] == VolunteerFilter(**{**wanted.__dict__, "page": 1})


def test_unknown_values_fall_back_and_a_broken_date_is_named():
    wanted, problems = parse_filter({"status": "alle", "sortierung": "gehalt", "frei_am": "morgen"})

    assert wanted == VolunteerFilter()
    assert problems == ["Das Datum „frei am“ ließ sich nicht lesen; es wurde nicht berücksichtigt."]


def test_search_finds_name_email_and_phone_written_any_way(coordinator_client, factories):
    factories.VolunteerFactory(name="Mariam Haddad", email="mh@post.example", phone="02452 / 98-765")
    factories.VolunteerFactory(name="Olena Kowalenko", email="olena@example.org", phone="0171 111")

    by_name = table(page(coordinator_client, "?suche=haddad"))
    by_mail = table(page(coordinator_client, "?suche=post.example"))
    by_phone = table(page(coordinator_client, "?suche=0245298765"))
    by_spaced_phone = table(page(coordinator_client, "?suche=02452+98765"))

    for found in (by_name, by_mail, by_phone, by_spaced_phone):
        assert "Mariam Haddad" in found and "Olena Kowalenko" not in found


def test_language_town_and_state_narrow_the_list(coordinator_client, factories):
    factories.VolunteerFactory(name="Treffer Person", languages=["ar"], home_id="erkelenz")
    factories.VolunteerFactory(name="Andere Sprache", languages=["uk"], home_id="erkelenz")
    factories.VolunteerFactory(name="Anderer Ort", languages=["ar"], home_id="heinsberg")
    factories.VolunteerFactory(name="Pausiert", languages=["ar"], home_id="erkelenz", active=False)

    active = table(page(coordinator_client, "?sprache=ar&ort=erkelenz&status=aktiv"))
    inactive = table(page(coordinator_client, "?sprache=ar&status=inaktiv"))

    assert "Treffer Person" in active
    assert "Andere Sprache" not in active and "Anderer Ort" not in active and "Pausiert" not in active
    assert "Arabisch" in active and "Erkelenz" in active
    assert "Pausiert" in inactive and "Treffer Person" not in inactive


def test_free_on_a_day_needs_a_window_that_weekday_no_absence_and_being_active(
    coordinator_client, factories, db
):
    factories.VolunteerFactory(name="Freitags Frei", availability=[(4, time(9), time(12))])
    factories.VolunteerFactory(name="Nur Montags", availability=[(0, time(9), time(12))])
    away = factories.VolunteerFactory(name="Im Urlaub")
    factories.VolunteerFactory(name="Nicht Aktiv", active=False)
    db.add(Absence(volunteer_id=away.id, start=FRIDAY - timedelta(days=2), end=FRIDAY))
    db.commit()

    html = table(page(coordinator_client, f"?frei_am={FRIDAY.isoformat()}"))
    day_after = table(page(coordinator_client, f"?frei_am={(FRIDAY + timedelta(days=7)).isoformat()}"))

    assert "Freitags Frei" in html
    for busy in ("Nur Montags", "Im Urlaub", "Nicht Aktiv"):
        assert busy not in html
    assert "Im Urlaub" in day_after


def test_sort_by_name_town_or_this_years_assignments(coordinator_client, factories, db):
    this_year = local_now().year
    busy = factories.VolunteerFactory(name="Zora Viel", home_id="erkelenz")
    factories.VolunteerFactory(name="Anna Wenig", home_id="wegberg")
    factories.VolunteerFactory(name="Bernd Mittel", home_id="gangelt")
    for day in (3, 4):
        assignment_at(db, factories, datetime(this_year, 1, day, 10), volunteer=busy)
    assignment_at(
        db, factories, datetime(this_year, 1, 5, 10), volunteer=busy, status=AssignmentStatus.CANCELLED
    )
    assignment_at(db, factories, datetime(this_year - 1, 12, 30, 10), volunteer=busy)

    by_name = table(page(coordinator_client))
    by_town = table(page(coordinator_client, "?sortierung=ort"))
    by_work = table(page(coordinator_client, "?sortierung=einsaetze"))

    assert by_name.index("Anna Wenig") < by_name.index("Bernd Mittel") < by_name.index("Zora Viel")
    assert by_town.index("Zora Viel") < by_town.index("Bernd Mittel") < by_town.index("Anna Wenig")
    assert by_work.index("Zora Viel") < by_work.index("Anna Wenig")
    assert '<td class="num">2</td>' in by_work  # two this year: the cancelled and last year's do not count


def test_the_list_comes_in_pages_of_fifty_that_keep_the_filter(coordinator_client, factories):
    for n in range(PAGE_SIZE + 2):
        factories.VolunteerFactory(name=f"Person {n:03d}", languages=["ar"])
    factories.VolunteerFactory(name="Spricht Ukrainisch", languages=["uk"])

    first = page(coordinator_client, "?sprache=ar")
    second = page(coordinator_client, "?sprache=ar&seite=2")

    assert "52 Personen gefunden, Seite 1 von 2" in first
    assert table(first).count("<tr>") == PAGE_SIZE and "Person 000" in first and "Person 051" not in first
    assert f'href="{LIST_PATH}?seite=2&amp;sprache=ar"' in first
    assert table(second).count("<tr>") == 2 and "Person 051" in second


def test_another_pools_volunteers_never_appear(coordinator_client, db, factories):
    second_pool(db)
    factories.VolunteerFactory(name="Fremde Person", pool_id=2, home_id="anderswo", languages=["uk"])
    factories.VolunteerFactory(name="Eigene Person")

    everyone = page(coordinator_client)
    searched = page(coordinator_client, "?suche=Fremde")
    free = page(coordinator_client, f"?frei_am={FRIDAY.isoformat()}")

    assert "Eigene Person" in everyone and "Fremde Person" not in everyone and "Anderswo" not in everyone
    assert "Fremde Person" not in searched and "Fremde Person" not in free


def test_distances_are_written_the_german_way(coordinator_client, factories):
    factories.VolunteerFactory(name="Halbe Kilometer", max_distance_km=12.5)

    html = page(coordinator_client)

    assert "12,5 km" in html and "12.5 km" not in html
