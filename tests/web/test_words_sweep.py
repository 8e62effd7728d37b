"""A sweep over everything people read, filled with the demo pool: no internal code, id or English number.

Coordinators, secretaries and volunteers meet rule titles, not rule ids ("legal.police"), names, not row ids
("Sprachmittler/in 33"), German words, not stored values ("no_show"), and German numbers ("10,5 km", not
"10.5 km"). The sweep seeds the demo pool, walks every GET route of the URL map it can fill with the demo's
real ids (so pages added later are swept too), the public form's three answers, the status and offer pages
behind real tokens, every mail the flows queued (text, HTML and calendar entry) and the payout and report
files (CSV, XLSX, PDF), and reports each finding with where it was seen.
"""

from __future__ import annotations

import csv
import email
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from datetime import timedelta
from email.message import Message
from email.policy import default as default_policy
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlmodel import Session, col, select

from matching.eligibility import APPOINTMENT_TYPES, INSTITUTION_TYPES, load_rules
from notifications.relay import deliver_due
from sprachmittlerpool import demo, links
from sprachmittlerpool.coordination.institutions import ACTIONS as INSTITUTION_ACTIONS
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import (
    ApiToken,
    Assignment,
    AssignmentStatus,
    Feedback,
    FeedbackSide,
    InterpretingRequest,
    MailStatus,
    MatchingRun,
    Offer,
    OfferStatus,
    Outcome,
    Qualification,
    RequestStatus,
    Role,
    RunStatus,
    VolunteerLanguage,
    VolunteerLink,
    VolunteerLinkPurpose,
    local_now,
)
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services import background_matching, offers
from sprachmittlerpool.services.clearance_expiry import remind_expiring_clearances
from sprachmittlerpool.services.coordination_jobs import ask_completion, send_reminders, warn_unfilled
from sprachmittlerpool.services.feedback import ask_feedback
from tests.confirm import CONFIRMED
from tests.factories import FIRST_POOL
from tests.intake.test_form import form_data

RULES = load_rules().rules
# The rule ids' families ("legal.", "pool.", "private.") and the ids without one ("medical").
RULE_CODE = re.compile(
    "|".join(
        [rf"\b{re.escape(prefix)}\.\w" for prefix in sorted({r.split(".")[0] for r in RULES if "." in r})]
        + [rf"\b{re.escape(rule)}\b" for rule in sorted(r for r in RULES if "." not in r)]
    )
)
STORED_VALUES = {
    member.value
    for enum in (RequestStatus, OfferStatus, AssignmentStatus, Outcome, MailStatus, Role)
    for member in enum
} | {rule.effect for rule in RULES.values()}
# The kinds of appointment and institution ("elterngespraech", "kita") are data, shown by their German names.
TYPE_CODES = {*APPOINTMENT_TYPES, *INSTITUTION_TYPES}
STORED_WORD = re.compile(r"\b(" + "|".join(sorted(map(re.escape, STORED_VALUES | TYPE_CODES))) + r")\b")
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # a program's name for a thing, never a German word
ROW_ID = re.compile(r"\b(?:Sprachmittler/in|Sprachmittler(?:in)?|Volunteer)\s+(?:Nr\.\s*)?#?\d+\b(?![.,:]\d)")
NUMBER_WITH_DOT = re.compile(r"(?<![\w.])\d+(?:\.\d+)+\.?(?:,\d+)?(?:\s*Uhr)?")
GERMAN_DOTTED = (
    # a date: 03.12.2026, 3.12., also at a sentence's end
    re.compile(r"\d{1,2}\.\d{1,2}\.(?:(?:\d{2}|\d{4})\.?)?"),
    re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?"),  # digits grouped in thousands: 1.250, 50.000,00
    re.compile(r"\d{1,2}\.\d{2}\s*Uhr"),  # a time written with a dot: 15.30 Uhr
)
ISO_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}(?:-\d{2})?(?![\w-])")  # 2026-12 or 2026-12-03: a program's date
# Addresses and links are not prose: a mail address may hold a type code, a signed link a dotted number.
NOT_PROSE = re.compile(r"\S+@\S+|https?://\S+|/(?:status|o|bestaetigung|konto)/\S+")


def findings(text: str) -> list[str]:
    """Name every internal code, row id, stored value or English number format in a text people read."""
    prose = NOT_PROSE.sub(" ", text)
    found = [f"code {m.group(0)!r}" for m in RULE_CODE.finditer(prose)]
    found += [f"id {m.group(0)!r}" for m in ROW_ID.finditer(prose)]
    found += [f"stored value {m.group(0)!r}" for m in STORED_WORD.finditer(prose)]
    found += [f"snake_case {m.group(0)!r}" for m in SNAKE_CASE.finditer(prose)]
    found += [f"ISO date {m.group(0)!r}" for m in ISO_DATE.finditer(prose)]
    found += [
        f"number {m.group(0)!r}"
        for m in NUMBER_WITH_DOT.finditer(prose)
        if not any(pattern.fullmatch(m.group(0)) for pattern in GERMAN_DOTTED)
    ]
    return [f"{item} in …{_around(prose, item)}…" for item in found]


def _around(text: str, item: str) -> str:
    """Return a little of the text around a finding, so the report says where to look."""
    needle = item.split("'")[1] if "'" in item else item
    at = text.find(needle)
    return " ".join(text[max(at - 40, 0) : at + len(needle) + 40].split())


class _VisibleText(HTMLParser):
    """Collect the text a browser shows: no scripts, styles or attributes, and no code shown as code."""

    HIDDEN = {"script", "style", "template", "code"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in self.HIDDEN
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in self.HIDDEN
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """Return the visible text of an HTML page or mail, whitespace collapsed."""
    parser = _VisibleText()
    parser.feed(html)
    return " ".join("".join(parser.parts).split())


def xlsx_text(data: bytes) -> str:
    """Return every text cell and sheet name of a workbook (numbers and dates are Excel's to format)."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    cells = [sheet.title for sheet in book.worksheets]
    for sheet in book.worksheets:
        cells += [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    return "\n".join(cells)


def csv_text(data: bytes) -> str:
    """Return the cells of a CSV file, one a line."""
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")
    return "\n".join(cell for row in rows for cell in row)


def pdf_text(data: bytes) -> str:
    """Return the text of every page of a PDF."""
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def calendar_text(ics: str) -> str:
    """Return what a calendar shows of an entry: summary, place and description."""
    unfolded = re.sub(r"\r?\n[ \t]", "", ics)
    shown = ("SUMMARY", "LOCATION", "DESCRIPTION")
    lines = [
        line.split(":", 1)[1] for line in unfolded.splitlines() if line.split(";")[0].split(":")[0] in shown
    ]
    return "\n".join(line.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";") for line in lines)


def response_text(data: bytes, mimetype: str) -> str | None:
    """Return what a person reads of an answer, or None for what programs read (JSON, XML, static files)."""
    if mimetype == "text/html":
        return visible_text(data.decode())
    if mimetype == "text/csv":
        return csv_text(data)
    if mimetype.endswith("spreadsheetml.sheet"):
        return xlsx_text(data)
    if mimetype == "application/pdf":
        return pdf_text(data)
    if mimetype == "text/calendar":
        return calendar_text(data.decode())
    return None


def mail_texts(message: Message) -> Iterator[tuple[str, str]]:
    """Yield each part of a mail people read (subject, text, HTML, calendar entry) with its name."""
    yield "Betreff", str(message["Subject"])
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("text/plain", "text/html", "text/calendar"):
            text = response_text(part.get_content().encode(), kind)
            if text is not None:
                yield kind, text


def report(found: dict[str, list[str]]) -> str:
    """List the findings one a line, by where they were seen."""
    return "\n".join(f"{where}: {problem}" for where, problems in found.items() for problem in problems)


# --- the demo pool with real tokens -------------------------------------------------------------


@pytest.fixture
def coordinator_role() -> str:
    """Sweep as an admin: an admin reaches every page, the settings included."""
    return "admin"


def _status_token(session: Session, request: InterpretingRequest) -> str:
    """Give a demo request a status link we know (the demo keeps none)."""
    token = new_token()
    request.status_token_hash = token_hash(token)
    session.add(request)
    return token


def _offer_token(session: Session, offer: Offer) -> str:
    """Give a demo offer a link we know."""
    token = new_token()
    offer.token_hash = token_hash(token)
    session.add(offer)
    return token


@pytest.fixture
def demo_pool(app: Flask, coordinator) -> dict[str, list[str]]:
    """Seed the demo pool, give some of its rows links we know, and return the URL values by argument name."""
    with app.app_context():
        demo.seed(months=3, now=local_now())
    with app.app_context(), new_session(write=True) as session:
        requests = session.exec(select(InterpretingRequest).order_by(col(InterpretingRequest.id))).all()
        by_status: dict[str, InterpretingRequest] = {}
        for request in requests:
            by_status.setdefault(request.status, request)
        open_requests = [request for request in requests if request.status == RequestStatus.OPEN]
        confirmed = _assignment(session, AssignmentStatus.CONFIRMED)
        completed = _assignment(session, AssignmentStatus.COMPLETED)
        accepted = session.get(Offer, confirmed.offer_id)
        months = sorted({a.start.strftime("%Y-%m") for a in session.exec(select(Assignment)).all()})
        to_offer = open_requests[-1]  # the others stay open, so their candidates are listed
        confirmed_request = session.get(InterpretingRequest, confirmed.request_id)
        values = {
            "status_token": [_status_token(session, request) for request in by_status.values()],
            "confirmed_status_token": [_status_token(session, confirmed_request)],
            "offer_token": [_offer_token(session, accepted)],
            "completion_token": [links.completion_token(confirmed.id)],
            "request_id": [str(request.id) for request in [*by_status.values(), *open_requests[1:3]]],
            "assignment_id": [str(confirmed.id), str(completed.id)],
            "offer_id": [str(accepted.id)],
            "volunteer_id": [str(confirmed.volunteer_id), str(completed.volunteer_id)],
            "institution_id": [str(by_status[RequestStatus.REVIEW].institution_id)],
            "user_id": [str(coordinator.id)],
            "month": [months[0], local_now().strftime("%Y-%m")],
            "ext": ["csv", "xlsx", "pdf"],
            "action": list(INSTITUTION_ACTIONS),
            "change": ["administration", "koordination", "deaktivieren", "reaktivieren", "einladung"],
            "day": [confirmed.start.date().isoformat()],
            "date": [confirmed.start.date().isoformat()],
            "year": [str(local_now().year)],
        }
        values |= _volunteer_link_tokens(session, completed.volunteer_id)
        values |= _feedback_tokens(session, completed)
        values["request_id"].append(str(completed.request_id))  # its page shows the feedback
        api_token = ApiToken(user_id=coordinator.id, token_hash=token_hash(new_token()))
        session.add(api_token)
        volunteer = _speaker_of(session, to_offer.language_code, not_in={confirmed.volunteer_id})
        session.commit()
        values["token_id"] = [str(api_token.id)]
        stopped = MatchingRun(
            pool_id=FIRST_POOL, status=RunStatus.FAILED, error=background_matching.STALE_ERROR
        )
        session.add(stopped)
        session.commit()
        values["run_id"] = [
            str(stopped.id)
        ]  # its progress answer; the sweep's own run replaces it on the page
        _pending, token = offers.make_offer(
            session, request_id=to_offer.id, volunteer_id=volunteer, now=local_now(), actor="t"
        )
        values["offer_token"].append(token)
    return values


def _volunteer_link_tokens(session: Session, volunteer_id: int) -> dict[str, list[str]]:
    """Give a demo volunteer with a history the personal page link and an address confirmation link."""
    tokens = {}
    for purpose in VolunteerLinkPurpose:
        token = new_token()
        session.add(
            VolunteerLink(
                pool_id=FIRST_POOL,
                volunteer_id=volunteer_id,
                purpose=purpose,
                token_hash=token_hash(token),
                new_email="neu@example.org" if purpose == VolunteerLinkPurpose.EMAIL else "",
                expires_at=local_now() + timedelta(days=1),
            )
        )
        tokens[f"volunteer_{purpose}_token"] = [token]
    return tokens


def _feedback_tokens(session: Session, assignment: Assignment) -> dict[str, list[str]]:
    """Give a demo assignment both sides' feedback links: the volunteer's answered with a debriefing wish
    (so the dashboard and the request page show it, and its link says it arrived), the institution's open."""
    tokens = []
    for side in FeedbackSide:
        token = new_token()
        answered = side == FeedbackSide.VOLUNTEER
        session.add(
            Feedback(
                pool_id=FIRST_POOL,
                assignment_id=assignment.id,
                side=side,
                token_hash=token_hash(token),
                expires_at=local_now() + timedelta(days=30),
                submitted_at=local_now() if answered else None,
                rating=2 if answered else None,
                comment="Es war schwer, bitte rufen Sie mich an." if answered else "",
                debriefing_wanted=answered,
            )
        )
        tokens.append(token)
    return {"feedback_token": tokens}


def _assignment(session: Session, status: AssignmentStatus) -> Assignment:
    statement = select(Assignment).where(Assignment.status == status).order_by(col(Assignment.id))
    return session.exec(statement).first()


def _speaker_of(session: Session, language: str, not_in: set[int]) -> int:
    """Return a volunteer of the demo who speaks the language (an offer must make sense)."""
    speakers = session.exec(
        select(VolunteerLanguage).where(VolunteerLanguage.language_code == language)
    ).all()
    return next(link.volunteer_id for link in speakers if link.volunteer_id not in not_in)


# The link pages' tokens, by endpoint (each kind of link has its own); the password links are swept elsewhere.
TOKEN_ARGUMENT = {
    "intake.status": "status_token",
    "volunteer.show_offer": "offer_token",
    "volunteer.show_completion": "completion_token",
    "volunteer.self_page": "volunteer_page_token",
    "volunteer.confirm_email": "volunteer_email_token",
    "volunteer.show_feedback": "feedback_token",
}
NOT_SWEPT = {"static", "auth.accept_invitation", "auth.reset_password"}
# Pages that read a day from the query string: swept at a day of the demo's confirmed assignments too.
DAY_PARAMETER = {"coordination.day_list": "datum", "coordination.week_view": "ab"}


def get_paths(app: Flask, values: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """Return every GET path of the URL map filled from the demo pool, and the rules that could not be filled."""
    paths, unfilled = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_SWEPT or rule.rule.startswith("/api/"):
            continue
        names = {
            arg: TOKEN_ARGUMENT.get(rule.endpoint, arg) if arg == "token" else arg for arg in rule.arguments
        }
        if not set(names.values()) <= values.keys():
            unfilled.append(rule.rule)
            continue
        arguments = sorted(names)
        for combination in itertools.product(*(values[names[arg]] for arg in arguments)):
            paths.append(rule.build(dict(zip(arguments, combination, strict=True)), append_unknown=False)[1])
        if rule.endpoint in DAY_PARAMETER:
            paths.append(f"{paths[-1]}?{DAY_PARAMETER[rule.endpoint]}={values['day'][0]}")
    return paths, unfilled


def sweep(client: FlaskClient, paths: Iterable[str]) -> dict[str, list[str]]:
    """GET each path and collect the findings in what a person reads of it."""
    found: dict[str, list[str]] = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        if 300 <= response.status_code < 400:
            continue  # the browser follows a redirect; nobody reads its body
        text = response_text(response.get_data(), response.mimetype)
        if text and (problems := findings(text)):
            found[path] = problems
    return found


# --- the sweep ----------------------------------------------------------------------------------


@pytest.mark.parametrize("coordinator_role", ["coordinator", "admin"])
def test_no_page_of_the_demo_pool_shows_a_code_an_id_or_an_english_number(
    app, coordinator_client, demo_pool
) -> None:
    coordinator_client.post("/koordination/vorschlaege")  # the engine's proposals, with their distances
    deliver_due(app)
    demo_pool["name"] = [path.name for path in sorted(Path(app.config["MAIL_DIR"]).glob("*.eml"))]
    paths, unfilled = get_paths(app, demo_pool)

    found = sweep(coordinator_client, paths)

    assert unfilled == []  # a new page with a new argument: give demo_pool a value for it
    assert len(paths) >= 60, paths
    assert not found, report(found)


def test_no_public_page_or_answer_to_the_form_shows_a_code_an_id_or_an_english_number(
    client, demo_pool
) -> None:
    receipts = {}
    for name, overrides in {
        "angenommen": {},
        "zur Prüfung": {"topic": "Fragen zum Antrag auf Wohngeld", "idempotency_key": "sweep-key-review"},
        "abgelehnt": {"appointment_type": "polizei", "idempotency_key": "sweep-key-reject"},
    }.items():
        response = client.post("/anfrage", data=form_data(**overrides), follow_redirects=True)
        receipts[name] = findings(visible_text(response.get_data(as_text=True)))
    public = ["/", "/anfrage", "/regeln", "/impressum", "/datenschutz"]
    public += [f"/status/{token}" for token in demo_pool["status_token"]]
    public += [f"/o/{token}" for token in demo_pool["offer_token"]]
    public += [f"/bestaetigung/{token}" for token in demo_pool["completion_token"]]
    public += [f"/rueckmeldung/{token}" for token in demo_pool["feedback_token"]]

    found = sweep(client, public)

    assert {name: problems for name, problems in receipts.items() if problems} == {}
    assert not found, report(found)


def run_jobs_around(app: Flask) -> None:
    """Run the mailing jobs at the moments they have work: the eve of an assignment, after it, before an open one."""
    with app.app_context(), new_session(write=True) as session:
        confirmed = _assignment(session, AssignmentStatus.CONFIRMED)
        first_open = session.exec(
            select(InterpretingRequest)
            .where(InterpretingRequest.status == RequestStatus.OPEN)
            .order_by(col(InterpretingRequest.start))
        ).first()
        start, end, open_start = confirmed.start, confirmed.end, first_open.start
        session.commit()
        send_reminders(session, now=start - timedelta(hours=16))
        ask_completion(session, now=end + timedelta(hours=2))
        ask_feedback(session, now=_last_completion(session) + timedelta(hours=1))
        warn_unfilled(session, now=open_start - timedelta(days=1))
        clearances = session.exec(select(Qualification).where(Qualification.kind == "clearance")).all()
        for row, days in zip(clearances, (-5, 20), strict=False):  # one has ended, one ends soon
            row.valid_until = local_now().date() + timedelta(days=days)
            row.issued_on = row.valid_until - timedelta(days=5 * 365)
            session.add(row)
        remind_expiring_clearances(session, now=local_now())
        session.commit()  # the scheduler commits a job's work


def _last_completion(session: Session):
    """Return when the demo recorded its latest outcome: the feedback job asks about the days before it."""
    return max(a.completed_at for a in session.exec(select(Assignment)).all() if a.completed_at)


def test_no_mail_the_demo_flows_send_shows_a_code_an_id_or_an_english_number(
    app, client, coordinator_client, db, demo_pool
) -> None:
    for overrides in ({}, {"appointment_type": "polizei", "idempotency_key": "sweep-key-reject"}):
        client.post("/anfrage", data=form_data(**overrides))
    offer = demo_pool["offer_token"][1]
    client.post(f"/o/{offer}/accept")
    client.post(f"/o/{offer}/withdraw", data=CONFIRMED)
    client.post(f"/o/{demo_pool['offer_token'][0]}/decline", data={"reason": "Ich bin krank."})
    review = db.exec(
        select(InterpretingRequest).where(InterpretingRequest.status == RequestStatus.REVIEW)
    ).first()
    coordinator_client.post(
        f"/koordination/pruefung/{review.id}",
        data={"decision": "reject", "note": "Bitte Notariat.", **CONFIRMED},
    )
    run_jobs_around(app)
    client.post(f"/status/{demo_pool['confirmed_status_token'][0]}/stornieren", data=CONFIRMED)
    while deliver_due(app, now=local_now() + timedelta(days=60)).sent:  # the jobs queued at their moments;
        pass  # a relay pass sends a batch, and the feedback job alone queues more than one

    found, subjects = {}, []
    files = sorted(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        subjects.append(str(message["Subject"]))
        for part, text in mail_texts(message):
            if problems := findings(text):
                found[f"{message['Subject']} ({part})"] = problems

    assert len(files) >= 12, [f.name for f in files]
    assert any(s.startswith("Führungszeugnisse laufen ab") for s in subjects), subjects
    assert any(s.startswith("Ihr erweitertes Führungszeugnis") for s in subjects), subjects
    assert any(s.startswith("Wie ist Ihr Einsatz") for s in subjects), subjects  # the feedback mails
    assert any(s.startswith("Ihre Rückmeldung zur Sprachmittlung") for s in subjects), subjects
    assert not found, report(found)


# --- the sweep's own checks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Regel legal.police", ["code 'legal.p'"]),
        ("abgelehnt wegen medical", ["code 'medical'"]),
        ("Angebot an Sprachmittler/in 33 gesendet", ["id 'Sprachmittler/in 33'"]),
        ("Ergebnis: no_show", ["stored value 'no_show'", "snake_case 'no_show'"]),
        ("Status confirmed", ["stored value 'confirmed'"]),
        ("Entfernung 10.5 km", ["number '10.5'"]),
        ("Monat 2026-12, Termin 2026-12-03", ["ISO date '2026-12'", "ISO date '2026-12-03'"]),
        ("Sprachmittler/in 15:00–16:00 Uhr, seit 03.12.2026.", []),
        ("am 03.12.2026 um 15.30 Uhr, 1.250 Anfragen, 50.000,00 €, 10,5 km, 3. März", []),
        ("Mail an leitung@kita-regenbogen.example, Link http://localhost/o/1.abc.def", []),
    ],
)
def test_the_sweep_finds_codes_ids_stored_values_and_english_numbers(text: str, found: list[str]) -> None:
    assert [item.split(" in …")[0] for item in findings(text)] == found


def test_the_visible_text_leaves_out_scripts_styles_and_attributes() -> None:
    html = (
        '<style>a{x:1.5em}</style><p title="legal.police">Hallo <b>Welt</b></p><script>x=1.5</script>'
        "<pre><code>MIME-Version: 1.0</code></pre>"
    )

    assert visible_text(html) == "Hallo Welt"


def test_templates_name_rules_outcomes_and_states_in_german_through_one_filter_each(app) -> None:
    template = app.jinja_env.from_string(
        "{{ 'legal.police'|rule_title }} | {{ 'gone.rule'|rule_title }} | {{ 'no_show'|outcome_de }}"
        " | {{ 'withdrawn'|offer_status_de }} | {{ 'unfilled'|status_de }} | {{ 10.5|decimal_de }} km"
    )

    with app.test_request_context("/"):
        text = template.render()

    assert text == (
        "Termine bei der Polizei | Weitere Regel des Sprachmittlerpools | nicht erschienen"
        " | zurückgezogen | nicht besetzt | 10,5 km"
    )
