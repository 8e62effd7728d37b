"""The coordinators' volunteer API: create, list, get, patch, absences, and the IBAN kept secret."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import text
from sqlmodel import select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import AuditEvent, Qualification, Volunteer
from tests.volunteers.conftest import IBAN_DIGITS, TEST_IBAN


def _create(client: FlaskClient, auth: dict[str, str], payload: dict[str, Any]) -> str:
    response = client.post("/api/v1/volunteers", json=payload, headers=auth)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_create_get_list_patch_and_absence_round_trip(client, auth, payload):
    volunteer_id = _create(client, auth, payload)

    shown = client.get(f"/api/v1/volunteers/{volunteer_id}", headers=auth).get_json()
    listed = client.get("/api/v1/volunteers", headers=auth).get_json()["volunteers"]
    patched = client.patch(
        f"/api/v1/volunteers/{volunteer_id}",
        json={
            "languages": ["ar"],
            "availability": [{"weekday": 2, "start": "14:00", "end": "18:00"}],
            "max_per_week": 1,
        },
        headers=auth,
    )
    absence = client.post(
        f"/api/v1/volunteers/{volunteer_id}/absences",
        json={"start": "2030-03-04", "end": "2030-03-06"},
        headers=auth,
    )
    after = client.get(f"/api/v1/volunteers/{volunteer_id}", headers=auth).get_json()

    assert shown["name"] == "Olena K." and shown["home"] == "heinsberg"
    assert shown["languages"] == ["ru", "uk"]
    assert shown["availability"] == [{"weekday": 0, "start": "08:00", "end": "13:00"}]
    assert shown["iban"] == "DE89 **** **** **** **30 00"
    assert [v["id"] for v in listed] == [volunteer_id]
    assert patched.status_code == 200
    assert absence.status_code == 201
    assert after["languages"] == ["ar"]
    assert after["availability"] == [{"weekday": 2, "start": "14:00", "end": "18:00"}]
    assert after["max_per_week"] == 1 and after["name"] == "Olena K."
    assert [(a["start"], a["end"]) for a in after["absences"]] == [("2030-03-04", "2030-03-06")]


def test_patch_iban_null_removes_it(client, auth, payload):
    volunteer_id = _create(client, auth, payload)

    answer = client.patch(f"/api/v1/volunteers/{volunteer_id}", json={"iban": None}, headers=auth).get_json()

    assert answer["iban"] is None


def test_invalid_fields_answer_422_with_german_messages(client, auth, payload):
    payload |= {
        "home": "atlantis",
        "languages": ["uk", "tlh"],
        "availability": [
            {"weekday": 7, "start": "08:00", "end": "09:00"},
            {"weekday": 1, "start": "14:00", "end": "13:00"},
            {"weekday": 1, "start": "8 Uhr", "end": "13:00"},
        ],
        "iban": "DE89370400440532013001",
    }

    response = client.post("/api/v1/volunteers", json=payload, headers=auth)

    body = response.get_json()
    assert response.status_code == 422
    assert body["error"] == "invalid"
    assert "Region" in body["fields"]["home"]
    assert "„tlh“" in body["fields"]["languages"]
    assert "Wochentag" in body["fields"]["availability[0].weekday"]
    assert "nach dem Beginn" in body["fields"]["availability[1].end"]
    assert "HH:MM" in body["fields"]["availability[2].start"]
    assert body["fields"]["iban"].startswith("Die IBAN ist ungültig")


def test_every_one_character_change_of_the_iban_is_rejected(client, auth, payload):
    changed = {TEST_IBAN[:i] + d + TEST_IBAN[i + 1 :] for i in range(4, len(TEST_IBAN)) for d in "0123456789"}
    changed.discard(TEST_IBAN)

    statuses = set()
    for number, iban in enumerate(sorted(changed)[::9]):
        answer = client.post(
            "/api/v1/volunteers", json=payload | {"iban": iban, "email": f"x{number}@e.org"}, headers=auth
        )
        statuses.add(answer.status_code)

    assert statuses == {422}


def test_missing_fields_unknown_fields_and_duplicates(client, auth, payload):
    _create(client, auth, payload)

    missing = client.post("/api/v1/volunteers", json={"name": "X"}, headers=auth)
    unknown = client.post("/api/v1/volunteers", json=payload | {"shoe_size": 44}, headers=auth)
    duplicate = client.post(
        "/api/v1/volunteers", json=payload | {"email": "OLENA.K@example.org"}, headers=auth
    )

    assert missing.status_code == 422
    assert set(missing.get_json()["fields"]) == {"email", "home", "languages"}
    assert unknown.status_code == 400
    assert duplicate.status_code == 409
    assert "email" in duplicate.get_json()["fields"]


def test_unknown_ids_answer_404(client, auth):
    assert client.get("/api/v1/volunteers/999", headers=auth).status_code == 404
    assert client.get("/api/v1/volunteers/abc", headers=auth).status_code == 404
    assert client.patch("/api/v1/volunteers/999", json={"name": "Y"}, headers=auth).status_code == 404
    absence = {"start": "2030-01-01", "end": "2030-01-02"}
    assert client.post("/api/v1/volunteers/999/absences", json=absence, headers=auth).status_code == 404


def test_absence_ending_before_it_starts_is_422(client, auth, payload):
    volunteer_id = _create(client, auth, payload)

    response = client.post(
        f"/api/v1/volunteers/{volunteer_id}/absences",
        json={"start": "2030-03-06", "end": "2030-03-04"},
        headers=auth,
    )

    assert response.status_code == 422
    assert "end" in response.get_json()["fields"]


def test_without_credentials_every_route_answers_401(client, payload):
    assert client.get("/api/v1/volunteers").status_code == 401
    assert client.post("/api/v1/volunteers", json=payload).status_code == 401
    assert client.get("/api/v1/volunteers/1").status_code == 401
    assert client.patch("/api/v1/volunteers/1", json={}).status_code == 401
    assert client.post("/api/v1/volunteers/1/absences", json={}).status_code == 401
    assert client.get("/api/v1/volunteers", headers={"Authorization": "Bearer falsch"}).status_code == 401


def test_iban_digits_never_appear_in_database_answers_or_pages(
    app, client, coordinator_client, auth, payload
):
    volunteer_id = _create(client, auth, payload)
    client.patch(f"/api/v1/volunteers/{volunteer_id}", json={"name": "Olena Kowalenko"}, headers=auth)

    answers = [
        client.get("/api/v1/volunteers", headers=auth).get_data(as_text=True),
        client.get(f"/api/v1/volunteers/{volunteer_id}", headers=auth).get_data(as_text=True),
        coordinator_client.get("/koordination/sprachmittelnde").get_data(as_text=True),
        coordinator_client.get(f"/koordination/sprachmittelnde/{volunteer_id}").get_data(as_text=True),
        coordinator_client.get(f"/koordination/sprachmittelnde/{volunteer_id}/auskunft.json").get_data(
            as_text=True
        ),
    ]
    with app.app_context(), new_session(write=False) as db:
        stored = db.exec(select(Volunteer)).one()
        audit = [event.detail for event in db.exec(select(AuditEvent)).all()]

    for shown in answers + [str(audit)]:
        assert IBAN_DIGITS not in shown
    assert ["DE89 **** **** **** **30 00" in text for text in answers] == [True, True, False, True, True]
    assert stored.iban_encrypted and IBAN_DIGITS not in stored.iban_encrypted
    for file in _database_files(app):
        raw = file.read_bytes()
        assert IBAN_DIGITS.encode() not in raw, file
        assert TEST_IBAN.encode() not in raw, file


def _database_files(app) -> list[Path]:
    """The files the database keeps on disk: SQLite's file with -wal/-shm, or PostgreSQL's table, TOAST
    and index files of this database plus the current write-ahead log segment (read as root, as CI runs)."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        return list(path.parent.glob(path.name + "*"))
    with app.app_context(), new_session(write=False) as db:
        db.execute(text("CHECKPOINT"))  # write the pages out of shared buffers into the files
        data = Path(db.execute(text("SHOW data_directory")).scalar_one())
        relations = db.execute(
            text(
                "SELECT pg_relation_filepath(oid) FROM pg_class WHERE relkind IN ('r', 't', 'i') AND relfilenode <> 0"
            )
        ).scalars()
        wal = db.execute(text("SELECT pg_walfile_name(pg_current_wal_lsn())")).scalar_one()
    files = [data / relative for relative in relations if (data / relative).exists()]
    assert files, "no table files found"
    return [*files, data / "pg_wal" / wal]


def test_create_and_patch_are_audited_without_values(client, auth, payload, db):
    volunteer_id = _create(client, auth, payload)
    client.patch(f"/api/v1/volunteers/{volunteer_id}", json={"phone": "0170 1"}, headers=auth)

    events = db.exec(select(AuditEvent).where(AuditEvent.entity == "volunteer").order_by(AuditEvent.id)).all()

    assert [e.action for e in events] == ["created", "updated"]
    assert events[1].detail == {"fields": ["phone"]}


QUALIFICATIONS = [
    {"kind": "trained", "date": "2025-12-03", "valid_until": None},
    {"kind": "clearance", "date": "2026-01-15", "valid_until": "2031-01-14"},
]


def test_remote_and_qualifications_round_trip_and_a_patch_replaces_them(client, auth, payload, db):
    volunteer_id = _create(client, auth, {**payload, "remote": True, "qualifications": QUALIFICATIONS})

    shown = client.get(f"/api/v1/volunteers/{volunteer_id}", headers=auth).get_json()
    renewed = [
        {"kind": "clearance", "date": "2026-01-15", "valid_until": "2031-01-14"},
        {"kind": "confidentiality", "date": "2025-12-03"},
    ]
    patched = client.patch(
        f"/api/v1/volunteers/{volunteer_id}", json={"remote": False, "qualifications": renewed}, headers=auth
    ).get_json()
    untouched = client.patch(f"/api/v1/volunteers/{volunteer_id}", json={"max_per_week": 2}, headers=auth)

    assert shown["remote"] is True
    assert shown["qualifications"] == QUALIFICATIONS
    assert patched["remote"] is False
    assert patched["qualifications"] == [
        {"kind": "confidentiality", "date": "2025-12-03", "valid_until": None},
        {"kind": "clearance", "date": "2026-01-15", "valid_until": "2031-01-14"},
    ]
    assert untouched.get_json()["qualifications"] == patched["qualifications"]
    stored = db.exec(select(Volunteer).where(Volunteer.id == int(volunteer_id))).one()
    assert stored.remote is False


def test_a_patch_keeping_the_clearance_end_keeps_the_mark_that_its_reminder_went_out(
    client, auth, payload, db
):
    volunteer_id = _create(client, auth, {**payload, "qualifications": QUALIFICATIONS})
    db.exec(text("UPDATE qualification SET expiry_notice_for = valid_until WHERE kind = 'clearance'"))
    db.commit()

    client.patch(
        f"/api/v1/volunteers/{volunteer_id}", json={"qualifications": QUALIFICATIONS[1:]}, headers=auth
    )

    row = db.exec(select(Qualification).where(Qualification.kind == "clearance")).one()
    db.refresh(row)
    assert row.expiry_notice_for == date(2031, 1, 14)


def test_invalid_qualifications_and_remote_answer_422_per_entry(client, auth, payload):
    wrong = [
        {"kind": "fuehrerschein", "date": "2025-01-01"},
        {"kind": "clearance", "date": "2026-01-15", "valid_until": "2025-01-14"},
        {"kind": "trained", "date": "03.12.2025"},
        {"kind": "exchange"},
        {"kind": "clearance", "date": "2026-01-15"},
        "trained",
    ]

    response = client.post(
        "/api/v1/volunteers", json={**payload, "remote": "ja", "qualifications": wrong}, headers=auth
    )

    fields = response.get_json()["fields"]
    assert response.status_code == 422
    assert fields == {
        "remote": "Bitte true oder false angeben.",
        "qualifications[0].kind": "Erlaubt sind „trained“, „confidentiality“, „clearance“, „exchange“.",
        "qualifications[1].valid_until": "„valid_until“ darf nicht vor „date“ liegen.",
        "qualifications[2].date": "Bitte ein Datum im Format JJJJ-MM-TT angeben.",
        "qualifications[3]": "Bitte date und/oder valid_until angeben.",
        "qualifications[4].kind": "Jeder Nachweis darf nur einmal vorkommen.",
        "qualifications[5]": "Jeder Nachweis braucht kind und dazu date und/oder valid_until.",
    }
