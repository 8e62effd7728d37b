"""A data centre adds a pool without a developer: `pools create`, then the usual commands with --pool."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlmodel import select

from sprachmittlerpool.models import Language, Municipality, Pool, User, Volunteer
from tests.factories import FIRST_POOL

PASSWORD = "ein-sehr-langes-passwort\n"
HEADER = ["Name", "E-Mail", "Telefon", "Geschlecht", "Wohnort", "Entfernung km", "Sprachen", "Verfügbarkeit"]
KLEVE_PEOPLE = [
    ["Marta Schwanenburg", "marta@kleve.example", "", "w", "Kleve", "25", "uk", "Mo 08:00-13:00"],
    ["Omar Niers", "omar@kleve.example", "", "m", "Goch", "20", "ar", "Di 9-12"],
]


def _people_file(tmp_path: Path) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows([HEADER, *KLEVE_PEOPLE])
    path = tmp_path / "kleve.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return str(path)


def test_a_second_pool_is_created_filled_and_reached_by_commands_alone(app, db, tmp_path) -> None:
    runner = app.test_cli_runner()

    created = runner.invoke(args=["pools", "create", "kleve", "--name", "Sprachmittlerpool Kreis Kleve"])
    region = runner.invoke(args=["region", "import", "kreis-kleve", "--pool", "kleve"])
    admin = runner.invoke(
        args=[
            "users",
            "create",
            "leitung@kleve.example",
            "--role",
            "admin",
            "--pool",
            "kleve",
            "--password-stdin",
        ],
        input=PASSWORD,
    )
    people = runner.invoke(args=["volunteers", "import", _people_file(tmp_path), "--pool", "kleve"])
    listed = runner.invoke(args=["pools", "list"])

    assert created.exit_code == 0, created.output
    assert "http://localhost/p/kleve/anfrage" in created.output
    assert region.exit_code == 0 and admin.exit_code == 0 and people.exit_code == 0, (
        region.output + admin.output + people.output
    )
    kleve = db.exec(select(Pool).where(Pool.slug == "kleve")).one()
    assert db.exec(select(User).where(User.email == "leitung@kleve.example")).one().pool_id == kleve.id
    assert {v.pool_id for v in db.exec(select(Volunteer)).all()} == {kleve.id}
    assert len(db.exec(select(Language).where(Language.pool_id == kleve.id)).all()) >= 30
    assert len(db.exec(select(Municipality).where(Municipality.pool_id == kleve.id)).all()) == 16
    assert (
        "kleve\tSprachmittlerpool Kreis Kleve\thttp://localhost/p/kleve\t1 Konten\t2 Sprachmittelnde"
        in listed.output
    )
    assert "\thttp://localhost\t" in listed.output  # the first pool keeps the installation's address

    client = app.test_client()
    form = client.get("/p/kleve/anfrage").get_data(as_text=True)
    client.post("/anmelden", data={"email": "leitung@kleve.example", "password": PASSWORD.strip()})
    volunteers = client.get("/koordination/sprachmittelnde").get_data(as_text=True)
    assert '<option value="kleve">Kleve</option>' in form and "Heinsberg" not in form
    assert "Marta Schwanenburg" in volunteers and "Omar Niers" in volunteers


def test_with_several_pools_a_command_without_pool_refuses_to_guess(app, db) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["pools", "create", "kleve", "--name", "Sprachmittlerpool Kreis Kleve"])

    user = runner.invoke(args=["users", "create", "wer@kreis.example", "--password-stdin"], input=PASSWORD)
    region = runner.invoke(args=["region", "import", "kreis-kleve"])
    report = runner.invoke(args=["report", "--year", "2026"])
    unknown = runner.invoke(args=["users", "list", "--pool", "borken"])
    own = runner.invoke(args=["users", "list", "--pool", "pool"])

    for result in (user, region, report):
        assert result.exit_code != 0
        assert "mehrere Pools (pool, kleve)" in result.output and "--pool KURZNAME" in result.output
    assert db.exec(select(User)).all() == []
    assert len(db.exec(select(Municipality).where(Municipality.pool_id != FIRST_POOL)).all()) == 0
    assert unknown.exit_code != 0 and "keinen Pool mit dem Kurznamen „borken“" in unknown.output
    assert own.exit_code == 0, own.output


def test_a_pool_gets_its_own_host_name_and_bad_names_are_refused(app, db) -> None:
    runner = app.test_cli_runner()

    hosted = runner.invoke(
        args=[
            "pools",
            "create",
            "viersen",
            "--name",
            "Pool Viersen",
            "--host",
            "Dolmetschen.Kreis-Viersen.example",
        ]
    )
    again = runner.invoke(args=["pools", "create", "viersen", "--name", "Noch einmal"])
    same_host = runner.invoke(
        args=["pools", "create", "vie2", "--name", "Pool 2", "--host", "dolmetschen.kreis-viersen.example"]
    )
    bad_slug = runner.invoke(args=["pools", "create", "Kreis Viersen!", "--name", "X"])
    bad_host = runner.invoke(args=["pools", "create", "vie3", "--name", "X", "--host", "http://x/y"])
    base_host = runner.invoke(args=["pools", "create", "vie4", "--name", "X", "--host", "LOCALHOST"])

    assert hosted.exit_code == 0, hosted.output
    assert "http://dolmetschen.kreis-viersen.example/anfrage" in hosted.output
    assert (
        db.exec(select(Pool).where(Pool.slug == "viersen")).one().host == "dolmetschen.kreis-viersen.example"
    )
    assert again.exit_code != 0 and "gibt es schon" in again.output
    assert same_host.exit_code != 0 and "gehört schon zu einem anderen Pool" in same_host.output
    assert bad_slug.exit_code != 0 and "kein gültiger Kurzname" in bad_slug.output
    assert bad_host.exit_code != 0 and "kein gültiger Hostname" in bad_host.output
    assert base_host.exit_code != 0 and "Adresse der Installation" in base_host.output
    assert len(db.exec(select(Pool)).all()) == 2


def test_seed_demo_with_pool_fills_a_further_pool_under_its_own_name_and_login(app, db, client) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["pools", "create", "kleve", "--name", "Sprachmittlerpool Kreis Kleve"])

    seeded = runner.invoke(args=["seed-demo", "--pool", "kleve"])
    again = runner.invoke(args=["seed-demo", "--pool", "kleve"])
    unknown = runner.invoke(args=["seed-demo", "--pool", "wesel"])

    assert seeded.exit_code == 0, seeded.output
    kleve = db.exec(select(Pool).where(Pool.slug == "kleve")).one()
    assert kleve.name == "Sprachmittlerpool Kreis Kleve"  # the demo's identity, but its own name
    people = db.exec(select(Volunteer).where(Volunteer.pool_id == kleve.id)).all()
    assert len(people) >= 60
    assert not db.exec(select(Volunteer).where(Volunteer.pool_id == FIRST_POOL)).all()  # only Kleve's
    login = Path(app.instance_path) / "demo-login-kleve.txt"
    assert str(login) in seeded.output and login.stat().st_mode & 0o777 == 0o600
    email, password = login.read_text().split()
    assert client.post("/anmelden", data={"email": email, "password": password}).status_code == 302
    assert "schon vorhanden" in again.output
    assert len(db.exec(select(Volunteer).where(Volunteer.pool_id == kleve.id)).all()) == len(people)
    assert unknown.exit_code == 1 and "keinen Pool mit dem Kurznamen „wesel“" in unknown.output
