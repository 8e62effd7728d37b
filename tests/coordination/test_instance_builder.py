"""The one place where rows become the engine's instance: what goes in, what stays out."""

from __future__ import annotations

from datetime import date, time, timedelta

import matching
from sprachmittlerpool.models import (
    Absence,
    Assignment,
    AssignmentStatus,
    MatchingRun,
    Offer,
    OfferStatus,
    RequestStatus,
    local_now,
)
from sprachmittlerpool.services.matching_run import build_instance, build_instance_data, run_matching
from tests.factories import FIRST_POOL


def _offer(db, request, volunteer, status: str) -> Offer:
    offer = Offer(
        pool_id=FIRST_POOL,
        request_id=request.id,
        volunteer_id=volunteer.id,
        status=status,
        token_hash=f"{request.id}-{volunteer.id}-{status}".ljust(64, "0"),
        expires_at=local_now() + timedelta(days=2),
    )
    db.add(offer)
    db.commit()
    return offer


def _by_id(items: list[dict], key: int | None) -> dict:
    return next(item for item in items if item["id"] == str(key))


def test_rows_become_a_valid_instance_with_languages_availability_and_absences(db, factories):
    volunteer = factories.VolunteerFactory(
        languages=["ar", "fa"], availability=[(0, time(8), time(13)), (2, time(14, 30), time(18))]
    )
    db.add(
        Absence(
            volunteer_id=volunteer.id,
            start=local_now().date() + timedelta(days=3),
            end=local_now().date() + timedelta(days=5),
        )
    )
    db.add(Absence(volunteer_id=volunteer.id, start=date(2020, 1, 1), end=date(2020, 1, 2)))
    db.commit()
    request = factories.RequestFactory(
        language_code="ar", municipality_id="erkelenz", urgent=True, gender_required="f"
    )

    data = build_instance_data(db, pool_id=FIRST_POOL, now=local_now())

    instance = matching.parse_instance(data)
    entry = _by_id(data["volunteers"], volunteer.id)
    assert entry["languages"] == ["ar", "fa"]
    assert entry["availability"] == [
        {"weekday": 0, "start": "08:00", "end": "13:00"},
        {"weekday": 2, "start": "14:30", "end": "18:00"},
    ]
    assert entry["absences"] == [
        {
            "start": (local_now().date() + timedelta(days=3)).isoformat(),
            "end": (local_now().date() + timedelta(days=5)).isoformat(),
        }
    ]
    assert entry["home"] == "heinsberg" and entry["max_per_week"] == 3 and entry["gender"] == "f"
    wanted = instance.request_by_id[str(request.id)]
    assert (wanted.language, wanted.municipality, wanted.gender_required, wanted.priority) == (
        "ar",
        "erkelenz",
        "f",
        2,
    )
    assert wanted.start == request.start.replace(second=0, microsecond=0)
    assert {m.id for m in instance.municipalities} >= {"heinsberg", "erkelenz"}


def test_only_open_future_requests_and_active_volunteers_are_matched(db, factories):
    active = factories.VolunteerFactory()
    factories.VolunteerFactory(active=False)
    open_request = factories.RequestFactory()
    factories.RequestFactory(status=RequestStatus.REVIEW)
    factories.RequestFactory(status=RequestStatus.OFFERED)
    factories.RequestFactory(start=local_now() - timedelta(days=1), end=local_now() - timedelta(hours=23))

    instance = build_instance(db, pool_id=FIRST_POOL, now=local_now())

    assert [r.id for r in instance.requests] == [str(open_request.id)]
    assert [v.id for v in instance.volunteers] == [str(active.id)]


def test_confirmed_assignments_and_pending_offers_hold_time_cancelled_ones_do_not(db, factories):
    volunteer = factories.VolunteerFactory()
    held = factories.RequestFactory(status=RequestStatus.CONFIRMED, municipality_id="erkelenz")
    offered = factories.RequestFactory(
        status=RequestStatus.OFFERED, start=held.start + timedelta(days=1), end=held.end + timedelta(days=1)
    )
    cancelled = factories.RequestFactory(
        status=RequestStatus.CANCELLED, start=held.start + timedelta(days=2), end=held.end + timedelta(days=2)
    )
    offer = _offer(db, held, volunteer, OfferStatus.ACCEPTED)
    db.add(
        Assignment(
            pool_id=FIRST_POOL,
            request_id=held.id,
            offer_id=offer.id,
            volunteer_id=volunteer.id,
            start=held.start,
            end=held.end,
        )
    )
    _offer(db, offered, volunteer, OfferStatus.PENDING)
    gone = _offer(db, cancelled, volunteer, OfferStatus.WITHDRAWN)
    db.add(
        Assignment(
            pool_id=FIRST_POOL,
            request_id=cancelled.id,
            offer_id=gone.id,
            volunteer_id=volunteer.id,
            start=cancelled.start,
            end=cancelled.end,
            status=AssignmentStatus.CANCELLED,
        )
    )
    db.commit()

    booked = _by_id(build_instance_data(db, pool_id=FIRST_POOL, now=local_now())["volunteers"], volunteer.id)[
        "booked"
    ]

    assert booked == [
        {
            "start": held.start.strftime("%Y-%m-%dT%H:%M"),
            "end": held.end.strftime("%Y-%m-%dT%H:%M"),
            "municipality": "erkelenz",
        },
        {
            "start": offered.start.strftime("%Y-%m-%dT%H:%M"),
            "end": offered.end.strftime("%Y-%m-%dT%H:%M"),
            "municipality": "heinsberg",
        },
    ]


def test_preferred_volunteer_excluded_after_decline_and_recent_assignments(db, factories):
    known, declined, busy = (
        factories.VolunteerFactory(),
        factories.VolunteerFactory(),
        factories.VolunteerFactory(),
    )
    request = factories.RequestFactory(preferred_volunteer_id=known.id)
    _offer(db, request, declined, OfferStatus.DECLINED)
    for weeks in (1, 2, 20):
        past = factories.RequestFactory(
            status=RequestStatus.COMPLETED,
            start=local_now() - timedelta(weeks=weeks),
            end=local_now() - timedelta(weeks=weeks) + timedelta(hours=1),
        )
        offer = _offer(db, past, busy, OfferStatus.ACCEPTED)
        db.add(
            Assignment(
                pool_id=FIRST_POOL,
                request_id=past.id,
                offer_id=offer.id,
                volunteer_id=busy.id,
                start=past.start,
                end=past.end,
                status=AssignmentStatus.COMPLETED,
            )
        )
    db.commit()

    instance = build_instance(db, pool_id=FIRST_POOL, now=local_now())

    wanted = instance.request_by_id[str(request.id)]
    assert wanted.preferred_volunteers == (str(known.id),)
    assert wanted.excluded_volunteers == (str(declined.id),)
    assert instance.volunteer_by_id[str(busy.id)].recent_assignments == 2
    assert instance.volunteer_by_id[str(known.id)].recent_assignments == 0


def test_small_pool_is_solved_validated_and_kept_with_reasons(db, factories):
    near = factories.VolunteerFactory(home_id="heinsberg")
    factories.VolunteerFactory(home_id="erkelenz")
    placed = factories.RequestFactory(municipality_id="heinsberg")
    nobody = factories.RequestFactory(language_code="ti")

    run = run_matching(db, pool_id=FIRST_POOL, now=local_now(), time_limit_s=5)

    stored = db.get(MatchingRun, run.id)
    assert stored.result["assignments"] == [
        {"request": str(placed.id), "volunteer": str(near.id), "distance_km": 0.0}
    ]
    assert stored.result["unassigned"] == [{"request": str(nobody.id), "reason": "no_language"}]
    assert stored.result["explanations"][str(placed.id)]["language"] == "uk"
    db.refresh(nobody)
    assert nobody.unfilled_reason == "no_language"
