"""Builders with defaults and keyword overrides (factory-boy), committing through a bound session."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import factory
from sqlmodel import Session

from sprachmittlerpool.models import (
    Availability,
    Institution,
    InterpretingRequest,
    Qualification,
    RequestStatus,
    Volunteer,
    VolunteerLanguage,
    local_now,
)
from sprachmittlerpool.security import new_token, token_hash

FIRST_POOL = 1  # the pool the migrations create

_session: list[Session] = []


def bind(session: Session) -> None:
    """Make the factories write through this session."""
    _session[:] = [session]


class _Base(factory.Factory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        instance = model_class(*args, **kwargs)
        session = _session[0]
        session.add(instance)
        session.commit()
        return instance


def next_weekday(weekday: int, *, weeks_ahead: int = 2, hour: int = 10) -> datetime:
    """Return a date in the future on the given weekday (0 = Monday), at the given hour."""
    base = local_now().replace(hour=hour, minute=0, second=0) + timedelta(weeks=weeks_ahead)
    return base + timedelta(days=(weekday - base.weekday()) % 7)


class InstitutionFactory(_Base):
    class Meta:
        model = Institution

    pool_id = FIRST_POOL
    name = factory.Sequence(lambda n: f"Städtische Kita Regenbogen {n}")
    type = "kita"
    email = factory.Sequence(lambda n: f"kita{n}@heinsberg.example")


# what the pool's default rules require of Kitas and schools, so a default volunteer may take their requests
FULLY_QUALIFIED = {"trained": None, "confidentiality": None, "clearance": None}
QUALIFIED_ON = date(2024, 1, 15)


class VolunteerFactory(_Base):
    """A volunteer in Heinsberg speaking Ukrainian and Russian, free Monday to Friday 8–18, trained,
    sworn to confidentiality and with a police clearance (``qualifications={kind: valid until}`` overrides)."""

    class Meta:
        model = Volunteer

    pool_id = FIRST_POOL
    name = factory.Sequence(lambda n: f"Olena Kowalenko{n}")
    email = factory.Sequence(lambda n: f"olena{n}@example.org")
    gender = "f"
    home_id = "heinsberg"
    max_distance_km = 30.0
    max_per_week = 3

    @factory.post_generation
    def languages(self, create: bool, extracted: list[str] | None, **_):
        if create:
            session = _session[0]
            for code in extracted if extracted is not None else ["uk", "ru"]:
                session.add(VolunteerLanguage(pool_id=self.pool_id, volunteer_id=self.id, language_code=code))
            session.commit()

    @factory.post_generation
    def availability(self, create: bool, extracted: list[tuple[int, time, time]] | None, **_):
        if create:
            session = _session[0]
            windows = extracted if extracted is not None else [(d, time(8), time(18)) for d in range(5)]
            for weekday, start, end in windows:
                session.add(Availability(volunteer_id=self.id, weekday=weekday, start=start, end=end))
            session.commit()

    @factory.post_generation
    def qualifications(self, create: bool, extracted: dict[str, date | None] | None, **_):
        if create:
            session = _session[0]
            held = extracted if extracted is not None else FULLY_QUALIFIED
            for kind, valid_until in held.items():
                session.add(
                    Qualification(
                        pool_id=self.pool_id,
                        volunteer_id=self.id,
                        kind=kind,
                        issued_on=QUALIFIED_ON,
                        valid_until=valid_until,
                    )
                )
            session.commit()


class RequestFactory(_Base):
    """An open request of a Kita in Heinsberg for Ukrainian, two weeks ahead on a Tuesday 10–11."""

    class Meta:
        model = InterpretingRequest

    pool_id = FIRST_POOL
    institution_id = factory.LazyFunction(lambda: InstitutionFactory().id)
    contact_name = "Frau Schneider"
    contact_email = factory.Sequence(lambda n: f"leitung{n}@kita.example")
    contact_phone = "02452 123456"
    language_code = "uk"
    appointment_type = "elterngespraech"
    topic = "Entwicklungsgespräch"
    start = factory.LazyFunction(lambda: next_weekday(1))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=1))
    municipality_id = "heinsberg"
    address = "Apfelstraße 1"
    status = RequestStatus.OPEN
    status_token_hash = factory.LazyFunction(lambda: token_hash(new_token()))
