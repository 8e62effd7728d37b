"""Reports count feedback by the day it arrived, per side, with average and spread 1–5 — never its words."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import Feedback, local_now
from sprachmittlerpool.services import feedback as feedback_service
from sprachmittlerpool.services import reports
from sprachmittlerpool.services.feedback_figures import count, rows
from tests.aftercare.world import ask, completed, feedback_rows
from tests.factories import FIRST_POOL
from tests.web.test_words_sweep import pdf_text, xlsx_text

SECRET = "Nur-für-die-Koordination-7f3a"


def test_count_gives_each_side_its_number_average_and_spread():
    figures = count(
        [("volunteer", 2, True), ("volunteer", 5, False), ("volunteer", 5, True), ("institution", 4, False)]
    )

    volunteers, institutions = figures.sides
    assert (volunteers.received, volunteers.distribution, volunteers.average) == (
        3,
        (0, 1, 0, 0, 2),
        Decimal("4.0"),
    )
    assert (institutions.received, institutions.distribution, institutions.average) == (
        1, (0, 0, 0, 1, 0), Decimal("4.0"),
    )  # fmt: skip
    assert figures.debriefings == 2


def test_an_empty_period_counts_zero_and_has_no_average():
    figures = count([])

    assert [(s.received, s.average) for s in figures.sides] == [(0, None), (0, None)]
    assert (
        "Rückmeldungen nach Einsätzen",
        "Durchschnittliche Bewertung Sprachmittelnde (1 bis 5)",
        "–",
    ) in rows(figures)


def test_the_average_is_rounded_half_up_and_written_with_a_comma():
    figures = count([("institution", 4, False), ("institution", 5, False), ("institution", 5, False)])

    assert figures.sides[1].average == Decimal("4.7")
    assert (
        "Rückmeldungen nach Einsätzen",
        "Durchschnittliche Bewertung Einrichtungen (1 bis 5)",
        "4,7",
    ) in rows(figures)


def test_the_report_counts_feedback_of_its_period_and_its_files_carry_no_comment(
    app, db, factories, coordinator_client
):
    assignment = completed(app, db, factories)
    ask(app)
    volunteer_row, institution_row = feedback_rows(db, assignment.id)
    with app.app_context(), new_session(write=True) as session:
        for row_id, rating, wish in ((volunteer_row.id, 1, True), (institution_row.id, 4, False)):
            row = session.get(Feedback, row_id)
            feedback_service.submit(
                session, row, feedback_service.Answer(rating, SECRET, wish), now=local_now()
            )
    today = local_now().date()

    with app.app_context(), new_session(write=False) as session:
        this_period = reports.build_report(session, today, today, pool_id=FIRST_POOL)
        before = reports.build_report(
            session, date(2020, 1, 1), today - timedelta(days=1), pool_id=FIRST_POOL
        )
    query = f"?from={today.isoformat()}&to={today.isoformat()}"
    page = coordinator_client.get(f"/berichte{query}").get_data(as_text=True)
    csv = coordinator_client.get(f"/berichte.csv{query}").get_data().decode("utf-8-sig")
    xlsx = coordinator_client.get(f"/berichte.xlsx{query}")
    pdf = coordinator_client.get(f"/berichte.pdf{query}")

    assert [s.distribution for s in this_period.feedback.sides] == [(1, 0, 0, 0, 0), (0, 0, 0, 1, 0)]
    assert this_period.feedback.debriefings == 1
    assert [s.received for s in before.feedback.sides] == [0, 0]
    assert "Rückmeldungen nach Einsätzen;Eingegangen von Sprachmittelnde;1" in csv
    assert "Rückmeldungen nach Einsätzen;Nachgespräch gewünscht;1" in csv
    assert 'id="feedback-table"' in page and "Nachgespräch gewünscht: 1" in page
    workbook, printed = xlsx_text(xlsx.get_data()), pdf_text(pdf.get_data())
    assert "Nachgespräch gewünscht" in workbook and "Rückmeldungen nach Einsätzen" in printed
    for text in (page, csv, workbook, printed):
        assert SECRET not in text
