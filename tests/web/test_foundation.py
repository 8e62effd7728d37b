"""The app factory, configuration, pages and the catalog API of the foundation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sprachmittlerpool import create_app


def test_app_builds_from_test_config(app) -> None:
    assert app.testing
    assert app.config["BASE_URL"] == "http://localhost"


def test_app_without_test_config_reads_environment_and_generates_secrets(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SPRACHMITTLERPOOL_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    monkeypatch.setenv("SPRACHMITTLERPOOL_BASE_URL", "https://pool.example")
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "inst"))

    first = create_app()
    second = create_app()
    for app in (first, second):
        app.extensions["sqlalchemy_engine"].dispose()

    assert first.config["BASE_URL"] == "https://pool.example"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["IBAN_KEY"]) >= 40
    assert (tmp_path / "inst" / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("variable", "value", "sentence"),
    [
        (
            "SPRACHMITTLERPOOL_DATABASE_URL",
            "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "nicht erreichbar",
        ),
        ("SPRACHMITTLERPOOL_MAIL_PORT", "fünfundzwanzig", "MAIL_PORT muss eine Portnummer"),
        ("SPRACHMITTLERPOOL_MAIL_PORT", "70000", "MAIL_PORT muss eine Portnummer"),
        ("SPRACHMITTLERPOOL_OFFER_CUTOFF_HOURS", "48", "sonst geht die Vorwarnung nie hinaus"),
        ("SPRACHMITTLERPOOL_OFFER_VALID_HOURS", "0", "OFFER_VALID_HOURS muss eine ganze Zahl ab 1 sein"),
    ],
)
def test_bad_configuration_stops_with_one_sentence(
    tmp_path: Path, variable: str, value: str, sentence: str
) -> None:
    env = {"PATH": "/usr/bin:/bin", variable: value, "HOME": str(tmp_path)}

    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "sprachmittlerpool", "db", "upgrade"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )

    assert result.returncode == 1
    assert sentence in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        ("{ kein json", "kein gültiges JSON"),
        ('{"version": 1, "rules": {}}', "settings"),
    ],
)
def test_a_broken_district_rule_file_stops_the_app_with_one_sentence(
    app_config: dict[str, object], content: str, sentence: str
) -> None:
    folder = Path(str(app_config["INSTANCE_PATH"]))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "eligibility-rules.json").write_text(content, encoding="utf-8")

    with pytest.raises(SystemExit) as stopped:
        create_app(app_config)

    message = str(stopped.value)
    assert message.startswith("Konfigurationsfehler: Die Regeldatei des Pools ist fehlerhaft")
    assert sentence in message and "\n" not in message


def test_home_page_says_what_the_pool_is_in_german(client) -> None:
    response = client.get("/")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Sprachmittlung anfragen" in page
    assert "Hückelhoven" in page and "Übach-Palenberg" in page


def test_every_response_carries_security_headers(client) -> None:
    for path in ("/", "/anmelden", "/static/style.css", "/gibt-es-nicht", "/api/v1/languages"):
        response = client.get(path)
        response.close()

        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path


def test_languages_and_municipalities_are_listed(client) -> None:
    languages = client.get("/api/v1/languages").get_json()["languages"]
    municipalities = client.get("/api/v1/municipalities").get_json()["municipalities"]

    assert {"code": "uk", "name": "Ukrainisch"} in languages
    assert {m["id"] for m in municipalities} >= {"heinsberg", "erkelenz", "hueckelhoven"}


def test_openapi_describes_the_catalog(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()

    assert document["openapi"].startswith("3.1")
    assert "/api/v1/languages" in document["paths"]


def test_unknown_api_path_answers_json_404(client) -> None:
    response = client.get("/api/v1/nichts")

    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"
