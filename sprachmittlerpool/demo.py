"""A realistic demo pool: Kreis Heinsberg's ten municipalities, about 70 volunteers over about 30 languages
weighted like the pool's demand, institutions of every allowed type, and a few months of past assignments.

Seeding runs once: a second run finds the marker and changes nothing. The demo coordinator gets a fresh
random password (there are no default accounts), kept in instance/demo-login.txt so `make run` can show it.
"""

from __future__ import annotations

import os
import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from flask import current_app
from schwifty import IBAN
from sqlmodel import Session, select

from sprachmittlerpool import reference_data, security
from sprachmittlerpool.db import write_session
from sprachmittlerpool.ibans import encrypt_iban, mask_iban, parse_key
from sprachmittlerpool.identity import AccountInput
from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    Availability,
    Institution,
    InterpretingRequest,
    Offer,
    OfferStatus,
    Outcome,
    Pool,
    PoolGrant,
    Qualification,
    QualificationKind,
    RequestMode,
    RequestStatus,
    Role,
    Tariff,
    User,
    Volunteer,
    VolunteerLanguage,
    local_now,
)
from sprachmittlerpool.pools import first_pool_id
from sprachmittlerpool.services.identity import set_account

DEMO_EMAIL = "koordination@demo.sprachmittlerpool.de"
SEED = 2023

# Kreis Heinsberg's pool as a district would enter it; phone, mail and account are invented for the demo.
HEINSBERG_IDENTITY = {
    "name": "Sprachmittlerpool Kreis Heinsberg",
    "organisation": "Kommunales Integrationszentrum Kreis Heinsberg",
    "postal_address": "Valkenburger Straße 45\n52525 Heinsberg",
    "phone": "02452 13-5600",
    "email": "sprachmittlerpool@kreis-heinsberg.example",
    "opening_hours": "Mo–Do 9–12 Uhr und 14–16 Uhr\nFr 9–12 Uhr",
    "impressum_md": """## Anbieter

Kreis Heinsberg – Der Landrat
Kommunales Integrationszentrum
Valkenburger Straße 45
52525 Heinsberg

Der Kreis Heinsberg ist eine Körperschaft des öffentlichen Rechts. Er wird vertreten durch den Landrat.

## Kontakt

Telefon: 02452 13-5600
E-Mail: [sprachmittlerpool@kreis-heinsberg.example](mailto:sprachmittlerpool@kreis-heinsberg.example)

## Verantwortlich für den Inhalt

Leitung des Kommunalen Integrationszentrums, Anschrift wie oben.

## Aufsichtsbehörde

Bezirksregierung Köln, Zeughausstraße 2–10, 50667 Köln
""",
    "privacy_md": """## Wer Ihre Daten verarbeitet

Verantwortlich ist der Kreis Heinsberg – Der Landrat, Kommunales Integrationszentrum, Valkenburger Straße 45, 52525 Heinsberg. Die behördliche Datenschutzbeauftragte erreichen Sie unter [datenschutz@kreis-heinsberg.example](mailto:datenschutz@kreis-heinsberg.example).

## Welche Daten wir verarbeiten und wozu

- **Anfragen von Einrichtungen:** Name der Einrichtung, Ansprechperson, E-Mail-Adresse, Telefon (freiwillig), Termin, Ort und Sprache. Wir brauchen sie, um eine Sprachmittlung zu vermitteln und Sie über den Stand zu informieren. Namen der Familien erfragen wir nicht.
- **Ehrenamtliche Sprachmittlerinnen und Sprachmittler:** Name, Kontakt, Sprachen, Verfügbarkeit und – für die Aufwandsentschädigung – die IBAN, die verschlüsselt gespeichert wird.

Rechtsgrundlage ist Art. 6 Abs. 1 lit. e DSGVO in Verbindung mit § 3 DSG NRW.

## Wie lange wir Daten speichern

Anfragen und Einsätze werden 24 Monate nach dem Termin anonymisiert; Abrechnungsdaten bewahren wir so lange auf, wie es das Haushaltsrecht verlangt.

## Ihre Rechte

Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung und Widerspruch. Beschweren können Sie sich bei der Landesbeauftragten für Datenschutz und Informationsfreiheit NRW.
""",
}
# Kreissparkasse Heinsberg's bank code with an invented account number: a valid IBAN, no real account.
DEMO_ACCOUNT = AccountInput(holder="Kreis Heinsberg", iban="DE21312512201234567890", bic="WELADED1ERK")
DEMO_GRANT_CENTS = 5_000_000  # 50.000,00 € a year, the grant the Heinsberg pool plans with

# Demand order of the Heinsberg pool first (Ukrainian, Russian, Arabic, Persian), then the long tail.
LANGUAGE_WEIGHTS = {
    "uk": 14, "ru": 12, "ar": 11, "fa": 8, "prs": 5, "tr": 5, "ku": 3, "kmr": 3, "ti": 3, "ps": 3,
    "ro": 3, "bg": 3, "pl": 2, "sq": 2, "so": 2, "am": 2, "sr": 2, "hr": 1, "bs": 1, "mk": 1,
    "el": 1, "it": 1, "es": 1, "pt": 1, "fr": 2, "en": 2, "hy": 1, "ka": 1, "ur": 1, "vi": 1,
}  # fmt: skip

DEMO_BANK_CODE = "31251220"  # Kreissparkasse Heinsberg; the account numbers are made up

FIRST_NAMES = [
    "Olena", "Iryna", "Oksana", "Natalia", "Swetlana", "Dmytro", "Andrij", "Tetiana", "Ahmad", "Fatima",
    "Mariam", "Yusuf", "Omar", "Leila", "Zahra", "Reza", "Parisa", "Hamid", "Nasrin", "Mehmet", "Ayse",
    "Elif", "Kemal", "Berivan", "Dilan", "Semhar", "Yonas", "Abdi", "Hodan", "Ioana", "Mihai", "Elena",
    "Georgi", "Desislava", "Agnieszka", "Piotr", "Arben", "Drita", "Selam", "Hiwet", "Milena", "Dragan",
    "Amira", "Samir", "Nour", "Karim", "Anahit", "Nino", "Giorgi", "Sofia", "Lucia", "João", "Claire",
    "Aisha", "Bilal", "Huong", "Minh", "Jasmin", "Emina", "Luca", "Eleni", "Kostas", "Sara", "Tamar",
    "Hanna", "Viktor", "Maksym", "Yasmin", "Rania", "Farid",
]  # fmt: skip
LAST_INITIALS = "ABDEFGHKLMNOPRSTUVWYZ"

INSTITUTIONS = [
    ("Städtische Kita Regenbogen", "kita"), ("Kita Sonnenschein Hückelhoven", "kita"),
    ("Familienzentrum Arche Noah Erkelenz", "kita"), ("Grundschule am Lindchen", "schule"),
    ("Gesamtschule Wassenberg", "schule"), ("Kreisgymnasium Heinsberg", "schule"),
    ("Hauptschule Übach-Palenberg", "schule"), ("Jugendamt Kreis Heinsberg", "behoerde"),
    ("Gesundheitsamt Kreis Heinsberg", "behoerde"), ("Wohnungsamt Geilenkirchen", "behoerde"),
    ("Caritas Beratungsstelle Heinsberg", "beratungsstelle"), ("Diakonie Migrationsberatung", "beratungsstelle"),
    ("Erziehungsberatungsstelle Erkelenz", "beratungsstelle"), ("Bürgerbüro Wegberg", "sonstige_oeffentliche_stelle"),
]  # fmt: skip

APPOINTMENT_TYPES = (
    ["elterngespraech"] * 5
    + ["anmeldung"] * 2
    + ["beratung"] * 3
    + [
        "informationsveranstaltung",
        "hausbesuch",
        "amtstermin_ohne_rechtsfolge",
        "gesundheitsamt",
    ]
)
TOPICS = {
    "elterngespraech": [
        "Entwicklungsgespräch",
        "Gespräch über die Leistungen in Mathematik",
        "Elternsprechtag",
    ],
    "anmeldung": ["Anmeldung für die U3-Gruppe", "Schulanmeldung Klasse 5"],
    "beratung": ["Beratung zu Freizeitangeboten", "Erziehungsberatung", "Beratung zum Ganztag"],
    "informationsveranstaltung": ["Elternabend zur Einschulung"],
    "hausbesuch": ["Hausbesuch der Familienhebamme zum Kennenlernen"],
    "amtstermin_ohne_rechtsfolge": ["Information zur Wohnungssuche"],
    "gesundheitsamt": ["Schuleingangsuntersuchung"],
}


def seed(
    *,
    months: int = 4,
    now: datetime | None = None,
    pool_id: int | None = None,
    login_email: str = DEMO_EMAIL,
    login_file: Path | None = None,
) -> str:
    """Load the demo pool once into the installation's first pool and return a sentence saying what happened.

    `pool_id` and `login_email` load it into a further pool too, which keeps its own name; the login is
    written to `login_file` (the first pool's to `demo_login_path()`, for `make run` to print).
    """
    now = now or local_now()
    with write_session() as session:
        if session.exec(select(User).where(User.email == login_email)).first():
            return "Demodaten sind schon vorhanden – nichts geändert."
        first = first_pool_id(session)
        pool_id = pool_id if pool_id is not None else first
        _identity(session, pool_id, now.year, keep_name=pool_id != first)
        reference_data.load(session, pool_id=pool_id)
        if login_file is None and login_email == DEMO_EMAIL:
            login_file = demo_login_path()
        password = _login(login_file, login_email)
        session.add(User(pool_id=pool_id, email=login_email, name="Demo-Koordination", role=Role.COORDINATOR,
                         password_hash=security.hash_password(password)))  # fmt: skip
        _tariff(session, pool_id)
        rng = random.Random(SEED)
        volunteers = _volunteers(session, rng, pool_id)
        _qualify(session, volunteers, now.date())
        institutions = _institutions(session, pool_id)
        session.flush()
        pool = _Pool(session=session, rng=rng, volunteers=volunteers, institutions=institutions, now=now)
        completed = pool.past_assignments(months)
        pool.current_requests()
    _book_and_close(completed, now, pool_id)
    return f"Demopool angelegt: {len(volunteers)} Sprachmittelnde, {len(completed)} abgeschlossene Einsätze."


def demo_login_path(slug: str | None = None) -> Path:
    """Return where a demo login is kept: the first pool's for `make run` to print, a further pool's by slug."""
    return Path(current_app.instance_path) / (f"demo-login-{slug}.txt" if slug else "demo-login.txt")


def _login(path: Path | None, email: str) -> str:
    """Make a random password; keep it with the e-mail in an owner-only file, if one is named."""
    password = secrets.token_urlsafe(12)
    if path is not None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f"{email}\n{password}\n")
    return password


def _identity(session: Session, pool_id: int, year: int, *, keep_name: bool) -> None:
    """Give the demo pool Kreis Heinsberg's identity (invented contact data), a paying account and grants.

    A further demo pool keeps the name it was created with, so that two pools can be told apart.
    """
    pool = session.get(Pool, pool_id)
    assert pool is not None
    for field, value in HEINSBERG_IDENTITY.items():
        if not (keep_name and field == "name"):
            setattr(pool, field, value)
    pool.remote_modes = [RequestMode.PHONE.value, RequestMode.VIDEO.value]  # the demo shows calls too
    set_account(pool, DEMO_ACCOUNT, key=parse_key(current_app.config["IBAN_KEY"]))
    session.add(pool)
    for grant_year in (year - 1, year):
        if session.get(PoolGrant, (pool_id, grant_year)) is None:
            session.add(PoolGrant(pool_id=pool_id, year=grant_year, amount_cents=DEMO_GRANT_CENTS))


def _tariff(session: Session, pool_id: int) -> None:
    from sprachmittlerpool.tariff import HEINSBERG, tariff_to_dict

    if session.exec(select(Tariff).where(Tariff.pool_id == pool_id)).first() is None:
        session.add(
            Tariff(
                pool_id=pool_id,
                name="Kreis Heinsberg",
                valid_from=date(2020, 1, 1),
                scheme=tariff_to_dict(HEINSBERG),
            )
        )


def _volunteers(session: Session, rng: random.Random, pool_id: int) -> list[Volunteer]:
    municipalities = [m.id for m in reference_data.municipalities(session, pool_id=pool_id)]
    codes, weights = zip(*LANGUAGE_WEIGHTS.items(), strict=True)
    volunteers = []
    for index, first in enumerate(FIRST_NAMES):
        volunteer = Volunteer(
            pool_id=pool_id,
            name=f"{first} {rng.choice(LAST_INITIALS)}.",
            email=f"{_ascii(first).lower()}.{index}@demo.sprachmittlerpool.de",
            phone=f"02452 9{index:05d}",
            gender="m" if first in _MALE else "f",
            home_id=rng.choice(municipalities),
            max_distance_km=rng.choice([15, 20, 25, 30, 40]),
            max_per_week=rng.choice([2, 3, 3, 4, 5]),
            contact_route="Telefon oder E-Mail über das KI",
        )
        session.add(volunteer)
        session.flush()
        _give_iban(volunteer, index)
        languages = {codes[index % len(codes)]} | set(
            rng.choices(codes, weights=weights, k=rng.choice([0, 1, 1]))
        )
        session.add_all(
            VolunteerLanguage(pool_id=pool_id, volunteer_id=volunteer.id, language_code=c)
            for c in sorted(languages)
        )
        for weekday in sorted(rng.sample(range(5), rng.choice([2, 3, 4]))):
            start = rng.choice([8, 9, 12, 13])
            session.add(Availability(volunteer_id=volunteer.id, weekday=weekday, start=time(start),
                                     end=time(min(start + rng.choice([4, 5, 6]), 19))))  # fmt: skip
        volunteers.append(volunteer)
    return volunteers


def _qualify(session: Session, volunteers: list[Volunteer], today: date) -> None:
    """Give everyone training and the confidentiality declaration, most a police clearance, half remote work.

    Every sixth has no clearance yet, so the proposals show why a Kita or school request may wait for it.
    """
    trained = today - timedelta(days=400)
    for index, volunteer in enumerate(volunteers):
        kinds = [QualificationKind.TRAINED, QualificationKind.CONFIDENTIALITY]
        kinds += [QualificationKind.EXCHANGE] if index % 4 == 0 else []
        session.add_all(
            Qualification(pool_id=volunteer.pool_id, volunteer_id=volunteer.id, kind=kind, issued_on=trained)
            for kind in kinds
        )
        if index % 6 != 5:
            issued = today - timedelta(days=30 * (index % 12))
            session.add(Qualification(pool_id=volunteer.pool_id, volunteer_id=volunteer.id,
                                      kind=QualificationKind.CLEARANCE, issued_on=issued,
                                      valid_until=issued + timedelta(days=5 * 365)))  # fmt: skip
        volunteer.remote = index % 2 == 0
        session.add(volunteer)


def _give_iban(volunteer: Volunteer, index: int) -> None:
    """Give most demo volunteers a (made-up, valid) account at a Heinsberg bank; every tenth has none."""
    if index % 10 == 9:
        return
    iban = str(IBAN.generate("DE", bank_code=DEMO_BANK_CODE, account_code=f"{7_000_000 + index:010d}"))
    key = parse_key(current_app.config["IBAN_KEY"])
    volunteer.iban_encrypted = encrypt_iban(iban, key=key, row_id=str(volunteer.id))
    volunteer.iban_masked = mask_iban(iban)


_MALE = {"Dmytro", "Andrij", "Ahmad", "Yusuf", "Omar", "Reza", "Hamid", "Mehmet", "Kemal", "Yonas", "Abdi",
         "Mihai", "Georgi", "Piotr", "Arben", "Dragan", "Samir", "Karim", "Giorgi", "João", "Bilal", "Minh",
         "Luca", "Kostas", "Viktor", "Maksym", "Farid"}  # fmt: skip


def _ascii(text: str) -> str:
    return text.replace("ã", "a").replace("é", "e")


def _institutions(session: Session, pool_id: int) -> list[Institution]:
    rows = [
        Institution(pool_id=pool_id, name=name, type=kind, email=f"kontakt{index}@einrichtung.demo.de")
        for index, (name, kind) in enumerate(INSTITUTIONS)
    ]
    session.add_all(rows)
    return rows


@dataclass
class _Pool:
    """Places demo requests on volunteers without overlaps, as the real flow would."""

    session: Session
    rng: random.Random
    volunteers: list[Volunteer]
    institutions: list[Institution]
    now: datetime

    def __post_init__(self) -> None:
        self.busy: dict[int, list[tuple[datetime, datetime]]] = {}
        self.languages: dict[int, list[str]] = {}
        pool_id = self.volunteers[0].pool_id if self.volunteers else None
        for link in self.session.exec(select(VolunteerLanguage).where(VolunteerLanguage.pool_id == pool_id)):
            self.languages.setdefault(link.volunteer_id, []).append(link.language_code)

    def past_assignments(self, months: int) -> list[Assignment]:
        """Create completed assignments over the past months (about 85 a month, like Heinsberg's 1,052 a year)."""
        completed = []
        first_day = (self.now.date().replace(day=1) - timedelta(days=31 * months)).replace(day=1)
        day = first_day
        while day < self.now.date() - timedelta(days=1):
            if day.weekday() < 5:
                for _ in range(self.rng.choice([3, 4, 4, 5])):
                    assignment = self._place(day, completed=True)
                    if assignment is not None:
                        completed.append(assignment)
            day += timedelta(days=1)
        return completed

    def current_requests(self) -> None:
        """Create upcoming requests: open ones, some in review, a rejection and a few confirmed."""
        for offset in range(7, 29):
            day = self.now.date() + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            if offset % 3 == 0:
                self._place(day, completed=False)
                continue
            request = self._request(day, RequestStatus.OPEN)
            if offset % 5 in (1, 3):  # a few calls: no address, but how the call comes about
                request.mode = RequestMode.PHONE if offset % 2 else RequestMode.VIDEO
                request.address = ""
                request.call_details = (
                    "Die Einrichtung ruft die Sprachmittlung an; Link oder Nummer per E-Mail."
                )
        review = self._request(self.now.date() + timedelta(days=9), RequestStatus.REVIEW)
        review.topic = "Begleitung zum Termin beim Familiengericht"
        review.reasons = [{"rule": "legal.court", "effect": "review", "triggers": ["Familiengericht"],
                           "message": "Der Anlass deutet auf einen Gerichtstermin hin; bitte prüfen."}]  # fmt: skip
        rejected = self._request(self.now.date() + timedelta(days=12), RequestStatus.REJECTED)
        rejected.appointment_type = "polizei"
        rejected.reasons = [{"rule": "legal.police", "effect": "reject", "triggers": [],
                             "message": "Polizeitermine können nicht vermittelt werden."}]  # fmt: skip

    def _request(self, day: date, status: RequestStatus) -> InterpretingRequest:
        institution = self.rng.choice(self.institutions)
        kind = self.rng.choice(APPOINTMENT_TYPES)
        language = self.rng.choices(list(LANGUAGE_WEIGHTS), weights=list(LANGUAGE_WEIGHTS.values()))[0]
        start = datetime.combine(day, time(self.rng.choice([8, 9, 10, 11, 13, 14, 15])))
        request = InterpretingRequest(
            pool_id=institution.pool_id,
            institution_id=institution.id,
            contact_name=self.rng.choice(["Frau Schneider", "Herr Jansen", "Frau Laumen", "Herr Peters"]),
            contact_email=institution.email,
            language_code=language,
            appointment_type=kind,
            topic=self.rng.choice(TOPICS[kind]),
            start=start,
            end=start + timedelta(minutes=self.rng.choice([45, 60, 60, 90, 120, 150])),
            municipality_id=self.rng.choice(self.volunteers).home_id,
            address=f"{self.rng.choice(['Schulstraße', 'Kirchplatz', 'Am Markt', 'Hauptstraße'])} {self.rng.randint(1, 60)}",
            status=status,
            status_token_hash=security.token_hash(security.new_token()),
            created_at=datetime.combine(day - timedelta(days=14), time(9)),
        )
        self.session.add(request)
        self.session.flush()
        return request

    def _place(self, day: date, *, completed: bool) -> Assignment | None:
        request = self._request(day, RequestStatus.COMPLETED if completed else RequestStatus.CONFIRMED)
        volunteer = self._free_volunteer(request)
        if volunteer is None:
            request.status = RequestStatus.UNFILLED if completed else RequestStatus.OPEN
            request.unfilled_reason = "capacity" if completed else None
            return None
        self.busy.setdefault(volunteer.id, []).append((request.start, request.end))
        offer = Offer(pool_id=request.pool_id, request_id=request.id, volunteer_id=volunteer.id, status=OfferStatus.ACCEPTED,
                      token_hash=security.token_hash(security.new_token()), created_at=request.created_at,
                      expires_at=request.created_at + timedelta(hours=48), answered_at=request.created_at)  # fmt: skip
        self.session.add(offer)
        self.session.flush()
        assignment = Assignment(pool_id=request.pool_id, request_id=request.id, offer_id=offer.id, volunteer_id=volunteer.id,
                                start=request.start, end=request.end)  # fmt: skip
        if completed:
            self._complete(assignment, request)
        self.session.add(assignment)
        self.session.flush()
        return assignment

    def _free_volunteer(self, request: InterpretingRequest) -> Volunteer | None:
        speakers = [v for v in self.volunteers if request.language_code in self.languages.get(v.id, [])]
        self.rng.shuffle(speakers)
        for volunteer in speakers:
            taken = self.busy.get(volunteer.id, [])
            if all(end <= request.start or request.end <= start for start, end in taken):
                return volunteer
        return None

    def _complete(self, assignment: Assignment, request: InterpretingRequest) -> None:
        from sprachmittlerpool.tariff import HEINSBERG, allowance

        minutes = int((request.end - request.start).total_seconds() // 60) + self.rng.choice(
            [-15, 0, 0, 10, 20]
        )
        outcome = Outcome.NO_SHOW if self.rng.random() < 0.03 else Outcome.TOOK_PLACE
        amount = allowance(HEINSBERG, outcome=outcome.value, duration_minutes=max(minutes, 15))
        assignment.status = AssignmentStatus.COMPLETED
        assignment.outcome = outcome
        assignment.duration_minutes = max(minutes, 15)
        assignment.allowance_cents = int(amount * 100)
        assignment.completed_at = request.end + timedelta(days=1)
        assignment.completed_by = "institution"
        if outcome == Outcome.NO_SHOW:
            request.status = RequestStatus.NO_SHOW


def _book_and_close(completed: list[Assignment], now: datetime, pool_id: int) -> None:
    """Book the allowances into payout months and close all months before the current one."""
    from sprachmittlerpool.services import payouts

    with write_session() as session:
        for assignment in completed:
            payouts.book_allowance(session, session.get(Assignment, assignment.id), now=now)
    current = now.strftime("%Y-%m")
    months = sorted({a.start.strftime("%Y-%m") for a in completed if a.start.strftime("%Y-%m") < current})
    for month in months[:-1]:
        with write_session() as session:
            payouts.close_month(
                session,
                month,
                pool_id=pool_id,
                user_id=None,
                actor="seed-demo",
            )
