"""The state's yearly figures across pools (/betrieb/land, its CSV, `flask report-state`): per pool, in total,
for operator accounts only, without personal data. Expected values are counted by hand from tests/reports/world.py.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from sqlmodel import select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import Pool, Role, User
from sprachmittlerpool.security import hash_password
from sprachmittlerpool.services import state_report
from sprachmittlerpool.services.pool_rules import rule_titles
from sprachmittlerpool.services.report_breakdowns import UNKNOWN_RULE
from tests.factories import FIRST_POOL
from tests.reports.world import OTHER_POOL
from tests.web.test_words_sweep import findings, visible_text

pytestmark = pytest.mark.usefixtures("two_years")

OPERATOR_EMAIL = "betrieb@rechenzentrum.example"
PASSWORD = "ein-langes-betriebs-passwort"
PERSONAL = ("Olena", "olena@", "Ana Popescu", "Frau Schneider", "leitung@", "Apfelstraße", "Einrichtung kita")


def _names(app) -> tuple[str, str, dict[str, str]]:
    with app.app_context(), new_session(write=False) as session:
        first, other = (session.get(Pool, pool_id).name for pool_id in (FIRST_POOL, OTHER_POOL))
        titles = {
            **rule_titles(session, pool_id=FIRST_POOL, instance_path=app.instance_path),
            **rule_titles(session, pool_id=OTHER_POOL, instance_path=app.instance_path),
        }
    return first, other, titles


def _report(app) -> state_report.StateReport:
    with app.app_context(), new_session(write=False) as session:
        return state_report.build(session, 2025, instance_path=app.instance_path)


def test_each_pool_and_the_total_are_counted_by_hand(app):
    first, other, titles = _names(app)
    report = _report(app)
    rows = {row.pool: row for row in report.pools}

    assert set(rows) == {first, other}
    heinsberg, kleve, total = rows[first], rows[other], report.total
    assert (heinsberg.requests, heinsberg.placed, heinsberg.unfilled, heinsberg.rejected) == (7, 2, 1, 2)
    assert (heinsberg.assignments, heinsberg.hours, heinsberg.allowances) == (
        3,
        Decimal("4.5"),
        Decimal("115.00"),
    )
    assert (heinsberg.volunteers, heinsberg.languages) == (
        1,
        frozenset({"uk", "ar"}),
    )  # tr was served in 2024
    assert heinsberg.rejected_by_rule == {titles["legal.police"]: 1, UNKNOWN_RULE: 1}
    assert heinsberg.institutions_by_type == {"kita": 1, "schule": 1}
    assert (kleve.requests, kleve.placed, kleve.unfilled, kleve.rejected, kleve.assignments) == (
        2,
        1,
        0,
        1,
        1,
    )
    assert (kleve.hours, kleve.allowances, kleve.volunteers, len(kleve.languages)) == (
        Decimal("4.0"),
        Decimal("99.00"),
        1,
        1,
    )
    assert kleve.rejected_by_rule == {titles["legal.court"]: 1}
    assert (total.requests, total.placed, total.unfilled, total.rejected, total.assignments) == (
        9,
        3,
        1,
        3,
        4,
    )
    assert (total.hours, total.allowances, total.volunteers) == (Decimal("8.5"), Decimal("214.00"), 2)
    assert total.languages == frozenset({"uk", "ar", "ro"})  # a language counts once across pools
    assert total.institutions_by_type == {"kita": 2, "schule": 1}


def _login_operator(app):
    with app.app_context(), new_session(write=True) as session:
        session.add(
            User(
                pool_id=FIRST_POOL,
                email=OPERATOR_EMAIL,
                role=Role.OPERATOR,
                password_hash=hash_password(PASSWORD),
            )
        )
        session.commit()
    client = app.test_client()
    answer = client.post("/anmelden", data={"email": OPERATOR_EMAIL, "password": PASSWORD})
    assert answer.headers["Location"] == "/betrieb/land"
    return client


def test_the_operator_sees_the_page_and_a_csv_with_german_headers_and_decimals(app):
    first, other, titles = _names(app)
    client = _login_operator(app)

    page = client.get("/betrieb/land?year=2025")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert first in text and other in text and "Summe aller Pools" in text
    assert "214,00 €" in text and "8,5" in text and titles["legal.court"] in text

    download = client.get("/betrieb/land.csv?year=2025")
    raw = download.get_data()
    assert raw.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert lines[1] == list(state_report.COLUMNS)
    assert lines[1][:3] == ["Pool", "Anfragen", "Vermittelt"]
    by_pool = {line[0]: line for line in lines[2:5]}
    assert by_pool[first] == [first, "7", "2", "1", "2", "3", "4,5", "115,00", "1", "2"]
    assert by_pool["Summe aller Pools"] == [
        "Summe aller Pools",
        "9",
        "3",
        "1",
        "3",
        "4",
        "8,5",
        "214,00",
        "2",
        "3",
    ]
    assert ["Kindertageseinrichtung (Kita)", "1", "1", "2"] in lines and [
        titles["legal.police"],
        "1",
        "0",
        "1",
    ] in lines
    assert findings(visible_text(text)) == [] and findings(raw.decode("utf-8-sig")) == []
    for leak in PERSONAL:
        assert leak not in text and leak not in raw.decode("utf-8")


@pytest.mark.parametrize("coordinator_role", ["coordinator", "admin"])
def test_a_pools_coordinator_or_admin_is_refused(coordinator_client):
    assert coordinator_client.get("/betrieb/land").status_code == 403
    assert coordinator_client.get("/betrieb/land.csv?year=2025").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client):
    assert client.get("/betrieb/land").status_code == 302


def test_an_operator_sees_no_pool_page_and_no_api(app):
    client = _login_operator(app)

    for path in ("/koordination/", "/koordination/anfragen", "/berichte", "/auszahlungen", "/einstellungen/"):
        assert client.get(path).status_code == 403, path
    assert client.get("/api/v1/requests").status_code == 403


@pytest.mark.parametrize("coordinator_role", ["admin"])
def test_an_admin_neither_lists_nor_changes_the_operator(app, coordinator_client):
    _login_operator(app)
    with app.app_context(), new_session(write=False) as session:
        operator = session.exec(select(User).where(User.email == OPERATOR_EMAIL)).one()
    assert OPERATOR_EMAIL not in coordinator_client.get("/einstellungen/konten").get_data(as_text=True)
    for change in ("administration", "deaktivieren"):
        assert coordinator_client.get(f"/einstellungen/konten/{operator.id}/{change}").status_code == 404
        assert coordinator_client.post(f"/einstellungen/konten/{operator.id}/{change}").status_code == 404


def test_the_command_creates_an_operator_and_writes_the_csv(app, tmp_path):
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=["users", "create", "land@betrieb.example", "--operator", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert created.exit_code == 0, created.output
    with app.app_context(), new_session(write=False) as session:
        assert session.exec(select(User.role).where(User.email == "land@betrieb.example")).one() == "operator"

    target = tmp_path / "land.csv"
    written = runner.invoke(args=["report-state", "--year", "2025", "--csv", str(target)])
    assert written.exit_code == 0, written.output
    assert "Summe aller Pools;9;3;1;3;4;8,5;214,00;2;3" in target.read_text(encoding="utf-8-sig")
    printed = runner.invoke(args=["report-state", "--year", "2025"]).output
    assert "Summe aller Pools\t9\t3" in printed
