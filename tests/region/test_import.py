"""Importing a region into a pool: all or nothing, idempotent, retiring instead of deleting, via the command."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlmodel import col, select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import AuditEvent, InterpretingRequest, Municipality, Pool
from sprachmittlerpool.regions import parse
from sprachmittlerpool.services import regions as service
from tests.factories import FIRST_POOL

NOW = datetime(2026, 3, 2, 9, 0)
KLEVE = (
    "name;lat;lon;kind\nKleve;51,79;6,14;Stadt\nGoch;51.6839;6.1619;Stadt\nWeeze;51.6267;6.1967;Gemeinde\n"
)


def towns(db, pool_id: int = FIRST_POOL) -> dict[str, tuple[str, float, float, bool]]:
    db.rollback()
    rows = db.exec(select(Municipality).where(Municipality.pool_id == pool_id)).all()
    return {row.id: (row.name, row.lat, row.lon, row.retired_at is None) for row in rows}


def run_import(app, text: str, *, pool_id: int = FIRST_POOL) -> service.ImportPlan:
    checked = parse(text.encode(), "kreis.csv")
    assert checked.ok, checked.errors
    with app.app_context(), new_session(write=True) as session:
        return service.apply(
            session, checked.entries, pool_id=pool_id, now=NOW, actor="test", source="kreis.csv"
        )


def write(tmp_path: Path, text: str, name: str = "kreis.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(app, db) -> None:
    first = run_import(app, KLEVE)
    after_first = towns(db)

    second = run_import(app, KLEVE)

    assert (len(first.added), len(first.retired)) == (3, 10)
    assert second.empty and second.summary() == "Keine Änderungen (3 unverändert)."
    assert towns(db) == after_first


def test_a_reimport_updates_names_and_centres_adds_new_towns_and_retires_missing_ones(app, db) -> None:
    run_import(app, KLEVE)

    result = run_import(
        app,
        "name;lat;lon;kind\nKleve;51.7900;6.1400;Stadt\nGoch;51.70;6.17;Stadt\nKalkar;51.7389;6.2925;Stadt\n",
    )

    assert result.summary() == "1 neu, 1 geändert, 1 nicht mehr angeboten, 1 unverändert."
    assert "Geändert: Goch: Mittelpunkt 51,6839 / 6,1619 → 51,7000 / 6,1700" in result.lines()
    assert towns(db)["goch"] == ("Goch", 51.70, 6.17, True)
    assert towns(db)["weeze"][3] is False


def test_a_town_named_by_a_request_is_retired_not_deleted_and_stays_on_the_request(
    app, db, factories
) -> None:
    request = factories.RequestFactory(municipality_id="wassenberg")

    result = run_import(app, KLEVE)

    assert "Nicht mehr angeboten: Wassenberg (bleibt bei 1 Anfrage sichtbar)" in result.lines()
    assert towns(db)["wassenberg"] == ("Wassenberg", 51.1004, 6.1547, False)
    db.rollback()
    assert db.get(InterpretingRequest, request.id).municipality_id == "wassenberg"
    assert db.get(Municipality, (FIRST_POOL, "wassenberg")).retired_at == NOW


def test_a_file_without_kinds_keeps_the_kind_of_known_towns_and_makes_new_ones_gemeinden(app, db) -> None:
    result = run_import(app, "name;lat;lon\nHeinsberg;51.0631;6.0963\nHaaren;51.05;6.10\n")

    db.rollback()
    assert db.get(Municipality, (FIRST_POOL, "heinsberg")).kind == "Stadt"
    assert db.get(Municipality, (FIRST_POOL, "haaren")).kind == "Gemeinde"
    assert [entry.id for entry in result.added] == ["haaren"] and result.changed == []


def test_a_retired_town_that_comes_back_is_offered_again(app, db) -> None:
    run_import(app, KLEVE)

    result = run_import(app, KLEVE + "Heinsberg;51.0631;6.0963;Stadt\n")

    assert [entry.id for entry in result.reactivated] == ["heinsberg"]
    assert "1 wieder angeboten" in result.summary()
    assert towns(db)["heinsberg"][3] is True


def test_every_import_is_audited_with_what_it_changed(app, db) -> None:
    run_import(app, KLEVE)

    db.rollback()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "region_import")).one()
    assert (event.entity, event.entity_id, event.actor) == ("pool", str(FIRST_POOL), "test")
    assert event.detail["added"] == ["kleve", "goch", "weeze"] and "heinsberg" in event.detail["retired"]


def test_the_command_imports_a_file_and_says_what_changed(app, db, tmp_path) -> None:
    result = app.test_cli_runner().invoke(args=["region", "import", write(tmp_path, KLEVE)])

    assert result.exit_code == 0, result.output
    assert "3 neu, 0 geändert, 10 nicht mehr angeboten, 0 unverändert." in result.output
    assert towns(db)["kleve"] == ("Kleve", 51.79, 6.14, True)


def test_the_command_refuses_a_file_with_one_wrong_line_and_changes_nothing(app, db, tmp_path) -> None:
    before = towns(db)

    result = app.test_cli_runner().invoke(
        args=["region", "import", write(tmp_path, KLEVE + "Kalkar;51,74;abc;Stadt\n")]
    )

    assert result.exit_code == 1
    assert "Zeile 5: Längengrad „abc“ ist keine Zahl" in result.output
    assert "nichts übernommen" in result.output
    assert towns(db) == before


def test_a_dry_run_shows_the_changes_and_stores_nothing(app, db, tmp_path) -> None:
    before = towns(db)

    result = app.test_cli_runner().invoke(args=["region", "import", write(tmp_path, KLEVE), "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "Neu: Kleve (Stadt)" in result.output and "Nur geprüft, nichts übernommen" in result.output
    assert towns(db) == before


def test_a_shipped_district_is_imported_by_its_name_into_the_pool_named(app, db) -> None:
    with app.app_context(), new_session(write=True) as session:
        pool = Pool(slug="kreis-kleve", name="Sprachmittlerpool Kreis Kleve")
        session.add(pool)
        session.commit()
        kleve_pool = pool.id
    runner = app.test_cli_runner()

    listed = runner.invoke(args=["region", "list-shipped"])
    imported = runner.invoke(args=["region", "import", "kreis-kleve", "--pool", "kreis-kleve"])
    unknown = runner.invoke(args=["region", "import", "kreis-kleve", "--pool", "gibt-es-nicht"])
    missing = runner.invoke(args=["region", "import", "kreis-borken"])

    assert "kreis-kleve\tKreis Kleve\t16 Gemeinden" in listed.output
    assert imported.exit_code == 0, imported.output
    assert "16 neu, 0 geändert, 0 nicht mehr angeboten" in imported.output
    assert (
        len(towns(db, kleve_pool)) == 16
        and towns(db, kleve_pool)["emmerich-am-rhein"][0] == "Emmerich am Rhein"
    )
    assert len(towns(db)) == 10 and all(active for *_, active in towns(db).values())
    assert unknown.exit_code != 0 and "keinen Pool mit dem Kurznamen „gibt-es-nicht“" in unknown.output
    assert missing.exit_code != 0 and "weder eine Datei noch eine mitgelieferte Region" in missing.output


def test_every_shipped_district_imports_cleanly_and_again_without_changes(app, db) -> None:
    runner = app.test_cli_runner()
    for name in ("kreis-heinsberg", "kreis-kleve", "kreis-viersen", "kreis-dueren", "staedteregion-aachen"):
        first = runner.invoke(args=["region", "import", name])
        again = runner.invoke(args=["region", "import", name])

        assert first.exit_code == 0 and again.exit_code == 0, first.output + again.output
        assert "Keine Änderungen" in again.output

    db.rollback()
    active = db.exec(
        select(Municipality).where(Municipality.pool_id == FIRST_POOL, col(Municipality.retired_at).is_(None))
    ).all()
    assert {row.name for row in active} >= {"Aachen", "Würselen", "Stolberg (Rhld.)"} and len(active) == 10
