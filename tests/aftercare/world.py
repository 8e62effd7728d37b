"""Builders for the aftercare tests: an assignment whose outcome was recorded, and the feedback job run on it."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlmodel import select

from notifications.jobs import find_job, run_job
from sprachmittlerpool.db import new_session
from sprachmittlerpool.jobs import JOBS
from sprachmittlerpool.models import Assignment, Feedback, OutboxMail, local_now
from sprachmittlerpool.services import completion
from tests.coordination.day_world import assignment_at
from tests.coordination.helpers import fresh_read


def yesterday_at(hour: int) -> datetime:
    """Return yesterday at the hour: an appointment that is over."""
    day = local_now().date() - timedelta(days=1)
    return datetime.combine(day, datetime.min.time()).replace(hour=hour)


def completed(app: Flask, db, factories, *, outcome: str = "took_place", hour: int = 10) -> Assignment:
    """Create yesterday's assignment and record its outcome through the service, as the institution would."""
    assignment = assignment_at(db, factories, yesterday_at(hour))
    with app.app_context(), new_session(write=True) as session:
        completion.record_completion(
            session, assignment=session.get(Assignment, assignment.id), took_place=outcome == "took_place",
            duration_minutes=60, travel_km="0", cancelled=None if outcome == "took_place" else outcome,
            now=local_now(), actor="institution",
        )  # fmt: skip
    return assignment


def ask(app: Flask, *, now: datetime | None = None) -> str:
    """Run the scheduled feedback job as the scheduler would (its own transaction and job_run row)."""
    return run_job(app, find_job(JOBS, "ask_feedback"), now=now or local_now())


def feedback_rows(db, assignment_id: int) -> list[Feedback]:
    """Return the assignment's feedback rows as the database holds them now."""
    query = select(Feedback).where(Feedback.assignment_id == assignment_id).order_by(Feedback.id)
    return fresh_read(db, lambda: list(db.exec(query.execution_options(populate_existing=True)).all()))


def feedback_mails(db) -> list[OutboxMail]:
    """Return the queued feedback mails, oldest first."""
    query = select(OutboxMail).where(OutboxMail.dedupe_key.startswith("feedback_")).order_by(OutboxMail.id)
    return fresh_read(db, lambda: list(db.exec(query).all()))
