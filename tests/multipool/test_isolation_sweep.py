"""Isolation proven by a sweep: a coordinator of pool A finds nothing of pool B anywhere.

Two demo pools share one installation (conftest.py). Logged in as pool A's admin, the sweep walks every
GET route of the URL map twice: filled with A's own ids (pages, CSV/XLSX/PDF files, the day and week lists)
and filled with B's ids, as someone guessing ids would (each must be a 404). It does the same over the API
with a token of pool A, and reads every mail the jobs of the installation queued: none of A's carries
anything of B, and B's carry B's identity and address. Anything containing B's marker is a finding.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import col, select

from notifications.relay import deliver_due
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    InterpretingRequest,
    OutboxMail,
    RequestStatus,
)
from sprachmittlerpool.services.coordination_jobs import ask_completion, send_reminders, warn_unfilled
from tests.factories import FIRST_POOL
from tests.multipool.conftest import B_IDENTITY, B_SLUG, has_marker
from tests.web.test_words_sweep import get_paths, response_text

# ids in a path: filled with pool B's, each must be refused as unknown
ID_ARGUMENTS = {
    "request_id",
    "assignment_id",
    "offer_id",
    "volunteer_id",
    "institution_id",
    "user_id",
    "token_id",
}


def _read(response) -> str:
    """Return what a person or a program reads of an answer (files as text, JSON and the rest as bytes)."""
    data = response.get_data()
    text = response_text(data, response.mimetype)
    return text if text is not None else data.decode("utf-8", errors="replace")


def _sweep(client, paths, **kwargs) -> tuple[dict[str, int], list[str]]:
    """GET each path; return the status by path and the paths whose answer carries pool B's marker."""
    statuses, leaks = {}, []
    for path in paths:
        response = client.get(path, **kwargs)
        statuses[path] = response.status_code
        assert response.status_code < 500, (path, response.status_code)
        seen = _read(response) + response.headers.get("Location", "")
        if has_marker(seen.replace(f"/p/{B_SLUG}/", "/")):  # the address asked for is no leak
            leaks.append(path)
    return statuses, leaks


def _guessed_paths(app, values_a, pool_b) -> list[str]:
    """Return every GET path with an id argument, filled with pool B's ids (the rest with A's values)."""
    paths = []
    for argument, ids in pool_b["ids"].items():
        if argument not in ID_ARGUMENTS:
            continue
        only = {**values_a, argument: ids}
        with_b, _ = get_paths(app, only)
        own, _ = get_paths(app, values_a)
        paths += [path for path in with_b if path not in own]
    return sorted(set(paths))


def test_no_page_or_file_of_pool_a_shows_anything_of_pool_b(
    app, coordinator_client, demo_pool, pool_b
) -> None:
    coordinator_client.post("/koordination/vorschlaege")  # the engine's proposals, over A's volunteers only
    deliver_due(app)
    demo_pool["name"] = [path.name for path in sorted(Path(app.config["MAIL_DIR"]).glob("*.eml"))]
    own, unfilled = get_paths(app, demo_pool)
    prefixed = [
        f"/p/{B_SLUG}{path}"
        for path in own
        if not path.startswith(
            ("/o/", "/status/", "/bestaetigung/", "/mein-bereich/", "/adresse-bestaetigen/")
        )
    ]

    statuses, leaks = _sweep(coordinator_client, own)

    assert unfilled == [] and len(own) >= 60
    assert sum(status == 200 for status in statuses.values()) >= 50  # the sweep saw real pages
    assert leaks == []
    # under pool B's address a coordinator of A still works in A: nothing of B on their own pages
    coordinator_pages = [p for p in prefixed if p.startswith(f"/p/{B_SLUG}/koordination")]
    _, leaks_prefixed = _sweep(coordinator_client, coordinator_pages)
    assert coordinator_pages and leaks_prefixed == []


def test_pool_b_ids_guessed_by_a_coordinator_of_pool_a_are_unknown(
    app, coordinator_client, demo_pool, pool_b
) -> None:
    guessed = _guessed_paths(app, demo_pool, pool_b)

    statuses, leaks = _sweep(coordinator_client, guessed)

    assert len(guessed) >= 20, guessed
    assert {path: status for path, status in statuses.items() if status != 404} == {}
    assert leaks == []


def _api_paths(app, values: dict[str, list[str]]) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith("/api/") or "token" in rule.arguments:
            continue
        if not set(rule.arguments) <= values.keys():
            continue
        for combination in _combinations(values, sorted(rule.arguments)):
            paths.append(rule.build(combination, append_unknown=False)[1])
    return paths


def _combinations(values, arguments):
    import itertools

    for combination in itertools.product(*(values[arg] for arg in arguments)):
        yield dict(zip(arguments, combination, strict=True))


def test_the_api_with_a_token_of_pool_a_lists_and_finds_nothing_of_pool_b(
    app, client, demo_pool, pool_b, a_token
) -> None:
    header = {"Authorization": f"Bearer {a_token}"}
    own = _api_paths(app, demo_pool)
    guessed = _api_paths(app, {**demo_pool, **{k: v for k, v in pool_b["ids"].items() if k in ID_ARGUMENTS}})
    guessed = [path for path in guessed if path not in own]
    listed = [f"{path}?{query}" for path in own for query in ("", "status=open", "limit=500")]
    b_month = [f"/api/v1/payouts/{pool_b['month']}"]

    own_status, own_leaks = _sweep(client, [*listed, *b_month], headers=header)
    guessed_status, guessed_leaks = _sweep(client, guessed, headers=header)

    assert sum(status == 200 for status in own_status.values()) >= 6, own_status
    assert own_leaks == [] and guessed_leaks == []
    assert guessed and set(guessed_status.values()) == {404}, guessed_status


def test_pool_b_s_token_sees_its_own_pool_not_pool_a(app, client, pool_b) -> None:
    """The control: the same API answers B's token with B's data, so the sweep above could have failed."""
    header = {"Authorization": f"Bearer {pool_b['api_token']}"}

    volunteers = client.get("/api/v1/volunteers", headers=header).get_data(as_text=True)
    detail = client.get(f"/api/v1/volunteers/{pool_b['ids']['volunteer_id'][0]}", headers=header)

    assert has_marker(volunteers) and detail.status_code == 200 and has_marker(detail.get_data(as_text=True))


def test_every_mail_the_installation_queues_carries_its_own_pool_s_identity(
    app, client, demo_pool, pool_b
) -> None:
    client.post(f"/o/{demo_pool['offer_token'][1]}/accept")
    client.post(f"/o/{pool_b['offer_token']}/accept")
    with app.app_context(), new_session(write=True) as session:
        moments = []
        for pool_id in (FIRST_POOL, pool_b["pool_id"]):
            confirmed = session.exec(
                select(Assignment)
                .where(Assignment.pool_id == pool_id, Assignment.status == AssignmentStatus.CONFIRMED)
                .order_by(col(Assignment.start))
            ).first()
            first_open = session.exec(
                select(InterpretingRequest)
                .where(
                    InterpretingRequest.pool_id == pool_id, InterpretingRequest.status == RequestStatus.OPEN
                )
                .order_by(col(InterpretingRequest.start))
            ).first()
            moments.append((confirmed.start, confirmed.end, first_open.start))
        session.commit()
        for start, end, open_start in moments:  # the jobs run over every pool at once, as the scheduler does
            send_reminders(session, now=start - timedelta(hours=16))
            ask_completion(session, now=end + timedelta(hours=2))
            warn_unfilled(session, now=open_start - timedelta(days=1))
            session.commit()
        mails = session.exec(select(OutboxMail)).all()
        session.commit()

    mine = [m for m in mails if m.pool_id == FIRST_POOL]
    theirs = [m for m in mails if m.pool_id == pool_b["pool_id"]]
    leaks = [m.subject for m in mine if has_marker(f"{m.subject}{m.reply_to}{m.body_text}{m.body_html}")]
    foreign = [
        m.subject
        for m in theirs
        if m.reply_to != B_IDENTITY["email"] or B_IDENTITY["name"] not in m.body_text
    ]
    linked = [m for m in theirs if "http://localhost/" in m.body_text]

    assert len(mine) >= 4 and len(theirs) >= 4, ([m.subject for m in mine], [m.subject for m in theirs])
    assert {m.pool_id for m in mails} <= {FIRST_POOL, pool_b["pool_id"]}
    assert leaks == [] and foreign == []
    assert linked and all(f"http://localhost/p/{B_SLUG}/" in m.body_text for m in linked)
    assert not any(f"/p/{B_SLUG}/" in m.body_text for m in mine)


def _b_state(app, pool_id: int) -> list[tuple]:
    """Return what a change to pool B would move: its requests', offers' and assignments' states, its mails."""
    from sprachmittlerpool.models import Offer, Volunteer

    with app.app_context(), new_session(write=False) as session:
        rows = [
            *(
                (r.id, r.status, r.start)
                for r in session.exec(
                    select(InterpretingRequest).where(InterpretingRequest.pool_id == pool_id)
                )
            ),
            *((o.id, o.status) for o in session.exec(select(Offer).where(Offer.pool_id == pool_id))),
            *(
                (a.id, a.status, a.outcome, a.duration_minutes)
                for a in session.exec(select(Assignment).where(Assignment.pool_id == pool_id))
            ),
            *(
                (v.id, v.name, v.active)
                for v in session.exec(select(Volunteer).where(Volunteer.pool_id == pool_id))
            ),
            *((m.id,) for m in session.exec(select(OutboxMail).where(OutboxMail.pool_id == pool_id))),
        ]
        session.rollback()
    return sorted(rows, key=repr)


def test_no_action_of_pool_a_s_admin_with_pool_b_s_ids_reaches_pool_b(
    app, coordinator_client, demo_pool, pool_b, a_token
) -> None:
    """Every POST of the URL map and the API that takes an id, sent with B's ids (confirmed): refused, B unchanged."""
    from tests.confirm import CONFIRMED

    before = _b_state(app, pool_b["pool_id"])
    bearer = {"Authorization": f"Bearer {a_token}"}
    values = {**demo_pool, **{k: v for k, v in pool_b["ids"].items() if k in ID_ARGUMENTS}}
    answers, bodies = {}, {}
    for rule in app.url_map.iter_rules():
        arguments = set(rule.arguments) - {"token"}
        if "POST" not in rule.methods or not arguments & ID_ARGUMENTS or "token" in rule.arguments:
            continue
        if not arguments <= values.keys():
            continue
        for combination in _combinations(values, sorted(arguments)):
            path = rule.build(combination, append_unknown=False)[1]
            if path.startswith("/api/"):
                response = coordinator_client.post(path, json={}, headers=bearer)  # lookup comes first
            else:
                response = coordinator_client.post(
                    path, data={**CONFIRMED, "decision": "reject", "note": "x"}
                )
            answers[path] = response.status_code
            bodies[path] = response.get_data(as_text=True)[:200]

    assert len(answers) >= 15, answers
    # the API checks a body's fields before the row (the same answer for any id); the rest must be 404
    checked_first = {p for p, status in answers.items() if p.startswith("/api/") and status in (400, 422)}
    assert {p: bodies[p] for p, status in answers.items() if status != 404 and p not in checked_first} == {}
    assert not any(has_marker(body) for body in bodies.values())
    assert sum(p.startswith("/api/") and status == 404 for p, status in answers.items()) >= 4
    assert _b_state(app, pool_b["pool_id"]) == before
