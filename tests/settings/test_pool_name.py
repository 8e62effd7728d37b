"""Pages, files and closed months take the pool's name from its row; no setting can override it."""

from __future__ import annotations

from sprachmittlerpool import create_app
from sprachmittlerpool.db import new_session
from sprachmittlerpool.exports.csv_export import content_digest
from sprachmittlerpool.models import Pool
from sprachmittlerpool.services import payouts
from tests.conftest import make_test_config
from tests.factories import FIRST_POOL


def rename(app, name: str) -> None:
    with app.app_context(), new_session(write=True) as session:
        pool = session.get(Pool, FIRST_POOL)
        pool.name = name
        session.add(pool)
        session.commit()


def test_the_old_pool_name_setting_no_longer_names_anything(database_url, tmp_path) -> None:
    app = create_app(make_test_config(database_url, tmp_path, POOL_NAME="Sprachmittlerpool Kreis Heinsberg"))
    rename(app, "Sprachmittlerpool Kreis Kleve")

    page = app.test_client().get("/").get_data(as_text=True)

    assert "Sprachmittlerpool Kreis Kleve" in page and "Heinsberg" not in page
    app.extensions["sqlalchemy_engine"].dispose()


def test_an_open_months_files_carry_the_pools_current_name(app, coordinator_client, march) -> None:
    rename(app, "Sprachmittlerpool Kreis Kleve")

    csv = coordinator_client.get("/payouts/2025-03.csv").data.decode("utf-8-sig")
    api = coordinator_client.get("/api/v1/payouts/2025-03")

    assert csv.splitlines()[0].startswith("Auszahlungsliste;Sprachmittlerpool Kreis Kleve;März 2025")
    assert api.status_code == 200


def test_a_closed_month_keeps_the_name_it_was_closed_under_so_its_checksum_holds(app, march) -> None:
    rename(app, "Sprachmittlerpool Kreis Kleve")
    with app.app_context(), new_session(write=True) as session:
        closed = payouts.close_month(session, "2025-03", pool_id=FIRST_POOL, user_id=None, actor="t")
        stored_checksum = closed.checksum
    rename(app, "Sprachmittlerpool Kreis Kleve (neu)")

    with app.app_context(), new_session(write=False) as session:
        again = payouts.build_payout_list(session, "2025-03", pool_id=FIRST_POOL)
        open_month = payouts.build_payout_list(session, "2025-04", pool_id=FIRST_POOL)

    assert again.pool_name == "Sprachmittlerpool Kreis Kleve"
    assert content_digest(again) == stored_checksum
    assert open_month.pool_name == "Sprachmittlerpool Kreis Kleve (neu)"
