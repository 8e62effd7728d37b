"""The app's scheduled jobs: one line each. `flask jobs list` shows them, the scheduler runs them.

Add a job as `Job(name, func, schedule, "Beschreibung")` where `func(session, *, now) -> str`
handles everything due at `now` and returns a short German summary. It runs once per period of its
schedule (`every(minutes=5)`: per 5-minute slot; `daily("06:00")`: per day), or pass
`period=per_hour` to run at most hourly while being polled more often.
"""

from __future__ import annotations

from notifications.jobs import Job, daily, every, per_day, per_hour  # noqa: F401 (for the lines below)
from notifications.relay import relay_job
from sprachmittlerpool.services import background_matching
from sprachmittlerpool.services.clearance_expiry import remind_expiring_clearances
from sprachmittlerpool.services.coordination_jobs import (
    ask_completion,
    expire_offers,
    send_reminders,
    warn_unfilled,
)
from sprachmittlerpool.services.feedback import ask_feedback
from sprachmittlerpool.services.privacy import anonymise_finished

JOBS: list[Job] = [
    relay_job(every(seconds=3)),
    Job(
        "matching_runs",
        background_matching.run_queued,
        every(seconds=2),
        "Angestoßene Vorschlagsberechnungen im Hintergrund ausführen",
        tracked=False,
        wake=background_matching.WAKE,
    ),
    Job(
        "expire_offers",
        expire_offers,
        every(minutes=5),
        "Abgelaufene Angebote schließen, Anfragen wieder öffnen",
    ),
    Job(
        "send_reminders",
        send_reminders,
        daily("08:00"),
        "Sprachmittler/innen am Vortag an ihren Einsatz erinnern",
    ),
    Job(
        "warn_unfilled",
        warn_unfilled,
        every(hours=1),
        "Einrichtungen vor unbesetzten Terminen warnen, zur Frist als unbesetzt melden",
    ),
    Job(
        "ask_completion",
        ask_completion,
        every(hours=1),
        "Nach dem Termin die Einrichtung um die Einsatzbestätigung bitten",
    ),
    Job(
        "remind_clearances",
        remind_expiring_clearances,
        daily("07:30"),
        "Sprachmittelnde und Koordination vor ablaufenden Führungszeugnissen warnen",
    ),
    Job(
        "ask_feedback",
        ask_feedback,
        every(hours=1),
        "Nach dem Einsatz Sprachmittler/in und Einrichtung um eine kurze Rückmeldung bitten",
    ),
    Job(
        "anonymise_finished",
        anonymise_finished,
        daily("03:30"),
        "Abgeschlossene Anfragen nach der Aufbewahrungsfrist anonymisieren",
    ),
]
