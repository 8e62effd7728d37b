"""The tables of the pool, their states, and small state verbs.

Glossary (German word in the product → identifier here):
    Sprachmittlerpool          pool (a KI's pool: its region, rules, tariffs, people and money)
    Sprachmittler/in           volunteer (interpreter)
    Einrichtung / Institution  institution (the requester)
    Anfrage                    request (InterpretingRequest)
    Einsatz                    assignment
    Angebot                    offer (a confirmed match sent to a volunteer)
    Aufwandsentschädigung      allowance
    Einsatzbestätigung         completion (confirmation that an assignment took place)
    Rückmeldung                feedback (after an assignment, from the volunteer or the institution)
    Nachgespräch               debriefing (a talk a volunteer asks for after a hard assignment)
    Auszahlungsliste           payout list (PayoutMonth with PayoutEntry rows)
    Ehrenamtspauschale         tax-free limit
    Koordinator/in             coordinator (User)
    Kommune                    municipality

Times of appointments, offers and jobs are local wall-clock times (Europe/Berlin),
stored naive, as in matching.md; one clock for everything keeps comparisons honest.
Money is integer cents.

Every row that belongs to a pool carries `pool_id`, and a reference between two pool-owned rows
includes it (a composite foreign key such as `(pool_id, municipality_id)`), so the database itself
refuses a row that points into another pool. The one exception is a loan (`Loan`, "Ausleihe"): a
pool's coordinator agreed that one of its shared volunteers serves one request of another pool. Offer,
assignment and payout rows carry the volunteer's pool (`volunteer_pool_id`); it equals `pool_id` unless
the offer names an agreed-for loan of exactly that request and volunteer (see services/sharing.py).
"""

from __future__ import annotations

import enum
import json
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import NaiveDatetime
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

BERLIN = ZoneInfo("Europe/Berlin")


def local_now() -> datetime:
    """Return the current wall-clock time in Europe/Berlin, naive like every stored time."""
    return datetime.now(BERLIN).replace(tzinfo=None, microsecond=0)


class RequestStatus(enum.StrEnum):
    """The life of a request (domain.md)."""

    SUBMITTED = "submitted"
    REJECTED = "rejected"
    REVIEW = "review"
    OPEN = "open"
    OFFERED = "offered"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    SETTLED = "settled"
    UNFILLED = "unfilled"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class OfferStatus(enum.StrEnum):
    """An offer is answered once: pending → accepted | declined | expired | withdrawn."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class AssignmentStatus(enum.StrEnum):
    """An assignment holds the volunteer's time while confirmed; it ends completed or cancelled."""

    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Outcome(enum.StrEnum):
    """What happened to an assignment, as the tariff needs it."""

    TOOK_PLACE = "took_place"
    LATE = "late"
    EARLY = "early"
    NO_SHOW = "no_show"
    VOLUNTEER_NO_SHOW = "volunteer_no_show"


class Role(enum.StrEnum):
    """Account roles of a pool; there are no default accounts.

    A `coordinator` does the pool's daily work; an `admin` does that too and also manages the
    pool's settings, accounts and API tokens (see auth/rights.py). An `operator` runs the installation and
    sees only the aggregate figures across pools (/betrieb/land), no pool's pages, data or API.
    """

    COORDINATOR = "coordinator"
    ADMIN = "admin"
    OPERATOR = "operator"


class RequestMode(enum.StrEnum):
    """How an interpreter joins the appointment: there in person, or by phone or video (remote).

    WRITTEN is no appointment but a written translation due on a day (where the pool brokers them).
    """

    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"
    WRITTEN = "written"


class QualificationKind(enum.StrEnum):
    """What a volunteer has shown the pool; an institution type may require some of them (pool setting)."""

    TRAINED = "trained"  # Grundschulung
    CONFIDENTIALITY = "confidentiality"  # Verschwiegenheitserklärung
    CLEARANCE = "clearance"  # erweitertes Führungszeugnis
    EXCHANGE = "exchange"  # Austauschtreffen


# Which qualifications a request needs, by the requesting institution's type; "all" applies to every type.
# Work with children needs the extended police clearance (§ 72a SGB VIII).
DEFAULT_REQUIRED_QUALIFICATIONS: dict[str, list[str]] = {
    "all": [QualificationKind.TRAINED.value, QualificationKind.CONFIDENTIALITY.value],
    "kita": [QualificationKind.CLEARANCE.value],
    "schule": [QualificationKind.CLEARANCE.value],
}


DEFAULT_CLEARANCE_NOTICE_WEEKS = 8
MAX_CLEARANCE_NOTICE_WEEKS = 52


class LoanStatus(enum.StrEnum):
    """A loan is asked of the lending pool, which agrees or refuses once; the asking pool may withdraw it first."""

    ASKED = "asked"
    AGREED = "agreed"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"  # by the asking pool while the answer was open (decided_at: when; no decided_by)


class MailStatus(enum.StrEnum):
    """An outbox row waits, is delivered, or failed for good (a 5xx answer)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


def _enum_check(column: str, values: type[enum.StrEnum]) -> CheckConstraint:
    allowed = ", ".join(f"'{member.value}'" for member in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_valid")


def _pool_fk(columns: list[str], table: str, remote: list[str], name: str) -> ForeignKeyConstraint:
    """Reference a row of the same pool: the pool id is part of the key on both sides."""
    return ForeignKeyConstraint(
        ["pool_id", *columns], [f"{table}.pool_id", *(f"{table}.{c}" for c in remote)], name=name
    )


def _pool_unique(table: str) -> UniqueConstraint:
    """Let other tables reference (pool_id, id), the target of their composite foreign keys."""
    return UniqueConstraint("pool_id", "id", name=f"{table}_pool_id_id")


def _own_pool(context: Any) -> Any:
    """Default a row's volunteer pool to its own pool: only a loan makes them differ."""
    return context.get_current_parameters().get("pool_id")


def _volunteer_pool() -> Any:
    """Declare `volunteer_pool_id`, set to the row's pool unless the code names the lending pool."""
    return Field(default=None, sa_column_kwargs={"default": _own_pool, "nullable": False})


def _volunteer_fk(name: str) -> ForeignKeyConstraint:
    """Reference the volunteer within the volunteer's own pool (the lender's, for a loan)."""
    return ForeignKeyConstraint(
        ["volunteer_pool_id", "volunteer_id"], ["volunteer.pool_id", "volunteer.id"], name=name
    )


def _setting(default: str | int, **kwargs: Any) -> Any:
    """Declare a pool setting with a server default, so a pool row made by a migration gets it too."""
    return Field(default=default, sa_column_kwargs={"server_default": str(default)}, **kwargs)


class Pool(SQLModel, table=True):
    """A KI's pool: its identity for people (contact, Impressum, privacy notice), paying account and settings.

    Settings that are the pool's decision live here, not in the installation's configuration, so that one
    installation can hold several pools. Texts are Markdown, rendered safely.
    """

    __table_args__ = (
        CheckConstraint("lead_working_days IS NULL OR lead_working_days >= 0", name="pool_lead_nonnegative"),
        CheckConstraint(
            "max_duration_minutes IS NULL OR max_duration_minutes >= 15", name="pool_duration_positive"
        ),
        CheckConstraint("api_token_days >= 1", name="pool_token_days_positive"),
        CheckConstraint(
            f"clearance_notice_weeks BETWEEN 1 AND {MAX_CLEARANCE_NOTICE_WEEKS}",
            name="pool_clearance_notice_weeks",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    # the host name its public pages and mail links use (e.g. dolmetschen.kreis-kleve.de); None: BASE_URL/p/<slug>
    host: str | None = Field(default=None, max_length=253, unique=True)
    organisation: str = _setting("", max_length=200)
    postal_address: str = _setting("", max_length=500)
    phone: str = _setting("", max_length=60)
    email: str = _setting("", max_length=254)
    opening_hours: str = _setting("", max_length=500)
    impressum_md: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    privacy_md: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    account_holder: str = _setting("", max_length=70)
    iban_encrypted: str | None = Field(default=None, max_length=400)
    iban_masked: str | None = Field(default=None, max_length=60)
    bic: str = _setting("", max_length=11)
    lead_working_days: int | None = None  # None: the rule set's value
    max_duration_minutes: int | None = None  # None: the rule set's value
    rule_overrides: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    api_token_days: int = _setting(365)  # how long a new API token stays valid
    # phone and video requests the pool brokers besides in-person ones (values of RequestMode)
    remote_modes: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    # written translations the pool brokers as a request type of their own (Aachen); off: refused (Heinsberg)
    brokers_written: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    required_qualifications: dict[str, list[str]] = Field(
        default_factory=lambda: {key: list(kinds) for key, kinds in DEFAULT_REQUIRED_QUALIFICATIONS.items()},
        sa_column=Column(
            JSON, nullable=False, server_default=json.dumps(DEFAULT_REQUIRED_QUALIFICATIONS, sort_keys=True)
        ),
    )
    # how many weeks before a police clearance ends the volunteer and the coordinators are told; eight
    # leave time to apply for a new certificate (two to four weeks at the town hall) and hand it in
    clearance_notice_weeks: int = _setting(DEFAULT_CLEARANCE_NOTICE_WEEKS)
    created_at: NaiveDatetime = Field(
        default_factory=local_now, sa_column_kwargs={"server_default": text("CURRENT_TIMESTAMP")}
    )


class PoolGrant(SQLModel, table=True):
    """The state grant a pool actually received for a year (the budget its allowances are set against)."""

    __tablename__ = "pool_grant"
    __table_args__ = (CheckConstraint("amount_cents >= 0", name="pool_grant_nonnegative"),)

    pool_id: int = Field(foreign_key="pool.id", primary_key=True)
    year: int = Field(primary_key=True)
    amount_cents: int


class Municipality(SQLModel, table=True):
    """A town of the pool's region with the centre used for distances."""

    pool_id: int = Field(foreign_key="pool.id", primary_key=True)
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=120)
    kind: str = Field(default="Gemeinde", max_length=20)
    lat: float
    lon: float
    retired_at: NaiveDatetime | None = None  # no longer offered; kept for the requests that name it


class Language(SQLModel, table=True):
    """A language the pool can be asked for, by code (exact strings, as the engine compares them)."""

    pool_id: int = Field(foreign_key="pool.id", primary_key=True)
    code: str = Field(primary_key=True, max_length=16)
    name_de: str = Field(max_length=120)
    retired_at: NaiveDatetime | None = None  # no longer offered; kept for old requests and reports


class Institution(SQLModel, table=True):
    """A requesting institution (Behörde, Kita, Schule, Beratungsstelle …)."""

    __table_args__ = (
        UniqueConstraint("pool_id", "name", "type", "email", name="institution_identity"),
        _pool_unique("institution"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    name: str = Field(max_length=200)
    type: str = Field(max_length=40)
    email: str = Field(max_length=254)
    created_at: NaiveDatetime = Field(default_factory=local_now)
    verified_at: NaiveDatetime | None = None  # a coordinator confirmed it after a first contact
    blocked_at: NaiveDatetime | None = None  # its requests are refused
    note: str = Field(default="", max_length=1000, sa_column_kwargs={"server_default": ""})


class InterpretingRequest(SQLModel, table=True):
    """A request for an interpreter (Anfrage); it stores no client names.

    A written translation (mode `written`) has no time slot: `start` is its due day ("Abgabe bis") at
    00:00 and `end` the same day at 23:59, so the CHECK end > start holds, lists sort it by the day it is
    due, the lead time counts to that day, and offers end a day before it. It has no address; `pages` is the
    requester's estimate. Its assignment is marked `written` and holds no hour of that day.
    """

    __tablename__ = "interpreting_request"
    __table_args__ = (
        CheckConstraint('"end" > start', name="request_end_after_start"),
        CheckConstraint("persons IS NULL OR persons >= 1", name="request_persons_positive"),
        CheckConstraint("pages IS NULL OR pages >= 1", name="request_pages_positive"),
        CheckConstraint("gender_required IS NULL OR gender_required IN ('f', 'm')", name="request_gender"),
        _enum_check("status", RequestStatus),
        _enum_check("mode", RequestMode),
        Index("ix_request_status_start", "status", "start"),
        _pool_unique("interpreting_request"),
        _pool_fk(["institution_id"], "institution", ["id"], "request_institution_in_pool"),
        _pool_fk(["language_code"], "language", ["code"], "request_language_in_pool"),
        _pool_fk(["municipality_id"], "municipality", ["id"], "request_municipality_in_pool"),
        _pool_fk(["preferred_volunteer_id"], "volunteer", ["id"], "request_preferred_in_pool"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    institution_id: int = Field(index=True)
    contact_name: str = Field(max_length=200)
    contact_email: str = Field(max_length=254)
    contact_phone: str = Field(default="", max_length=60)
    language_code: str = Field(max_length=16)
    dialect: str = Field(default="", max_length=200)
    appointment_type: str = Field(max_length=40)
    topic: str = Field(default="", max_length=2000)
    start: NaiveDatetime
    end: NaiveDatetime
    municipality_id: str = Field(max_length=64)  # for a phone or video request: the institution's place
    address: str = Field(max_length=300)  # empty for a phone or video request
    mode: str = Field(
        default=RequestMode.IN_PERSON, max_length=20, sa_column_kwargs={"server_default": "in_person"}
    )
    call_details: str = Field(
        default="", max_length=300, sa_column_kwargs={"server_default": ""}
    )  # who calls whom, which link
    persons: int | None = None
    pages: int | None = None  # a written translation: the requester's estimate of its length in pages
    gender_required: str | None = Field(default=None, max_length=1)
    preferred_volunteer_id: int | None = None
    status: str = Field(default=RequestStatus.SUBMITTED, max_length=20)
    urgent: bool = False
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    decision_note: str = Field(default="", max_length=2000)
    unfilled_reason: str | None = Field(default=None, max_length=40)
    status_token_hash: str = Field(max_length=64, unique=True)
    # SHA-256 of (pool, caller scope, client key), the canonical body it came with, and the random status
    # token sealed under a key derived from SECRET_KEY, so a same-key-same-body repeat can answer again.
    idempotency_key: str | None = Field(default=None, max_length=128, unique=True)
    idempotency_body_hash: str | None = Field(default=None, max_length=64)
    idempotency_sealed_token: str | None = Field(default=None, max_length=200)
    unfilled_warned_at: NaiveDatetime | None = None
    followup_sent_at: NaiveDatetime | None = None
    created_at: NaiveDatetime = Field(default_factory=local_now)
    updated_at: NaiveDatetime = Field(default_factory=local_now)
    anonymised_at: NaiveDatetime | None = None


class Volunteer(SQLModel, table=True):
    """A trained volunteer interpreter (Sprachmittler/in)."""

    __table_args__ = (
        CheckConstraint("max_distance_km >= 0", name="volunteer_reach_nonnegative"),
        CheckConstraint("max_per_week >= 0", name="volunteer_cap_nonnegative"),
        CheckConstraint("gender IS NULL OR gender IN ('f', 'm', 'd')", name="volunteer_gender"),
        CheckConstraint(
            "shared_in_person_km IS NULL OR shared_in_person_km >= 0", name="volunteer_shared_km_nonnegative"
        ),
        CheckConstraint(
            "shared_consent_on IS NOT NULL OR (NOT shared_remote AND shared_in_person_km IS NULL)",
            name="volunteer_shared_with_consent",
        ),
        UniqueConstraint("pool_id", "email", name="volunteer_email_in_pool"),
        _pool_unique("volunteer"),
        _pool_fk(["home_id"], "municipality", ["id"], "volunteer_home_in_pool"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    phone: str = Field(default="", max_length=60)
    gender: str | None = Field(default=None, max_length=1)
    home_id: str = Field(max_length=64)
    max_distance_km: float = 25.0
    max_per_week: int = 3
    iban_encrypted: str | None = Field(default=None, max_length=400)
    iban_masked: str | None = Field(default=None, max_length=60)
    active: bool = True
    remote: bool = Field(
        default=False, sa_column_kwargs={"server_default": text("false")}
    )  # takes phone/video
    written: bool = Field(
        default=False, sa_column_kwargs={"server_default": text("false")}
    )  # takes written translations
    contact_route: str = Field(default="", max_length=300)
    # Sharing with other pools of the installation (services/sharing.py), only with the person's consent:
    shared_remote: bool = Field(
        default=False, sa_column_kwargs={"server_default": text("false")}
    )  # phone/video requests of other pools
    shared_in_person_km: int | None = None  # in person, up to this far beyond the pool's region
    shared_consent_on: date | None = None  # the day the volunteer agreed to be shared
    created_at: NaiveDatetime = Field(default_factory=local_now)
    anonymised_at: NaiveDatetime | None = None

    @property
    def first_name(self) -> str:
        """Return what institutions learn of the volunteer: the first name only."""
        return self.name.split()[0] if self.name.strip() else ""


class VolunteerLanguage(SQLModel, table=True):
    """A language a volunteer interprets."""

    __tablename__ = "volunteer_language"
    __table_args__ = (
        ForeignKeyConstraint(
            ["pool_id", "volunteer_id"],
            ["volunteer.pool_id", "volunteer.id"],
            name="volunteer_language_volunteer_in_pool",
            ondelete="CASCADE",
        ),
        _pool_fk(["language_code"], "language", ["code"], "volunteer_language_language_in_pool"),
    )

    volunteer_id: int = Field(primary_key=True)
    language_code: str = Field(primary_key=True, max_length=16)
    pool_id: int = Field(foreign_key="pool.id")


class Availability(SQLModel, table=True):
    """A weekly window in which a volunteer can take assignments."""

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="availability_weekday"),
        CheckConstraint('"end" > start', name="availability_end_after_start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True, ondelete="CASCADE")
    weekday: int
    start: time
    end: time


class Absence(SQLModel, table=True):
    """Days a volunteer is away (both ends inclusive)."""

    __table_args__ = (CheckConstraint('"end" >= start', name="absence_end_not_before_start"),)

    id: int | None = Field(default=None, primary_key=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True, ondelete="CASCADE")
    start: date
    end: date


class VolunteerLinkPurpose(enum.StrEnum):
    """What a volunteer's personal link opens: their own page, or the confirmation of a new address."""

    PAGE = "page"
    EMAIL = "email"


class VolunteerLink(SQLModel, table=True):
    """A personal link mailed to a volunteer, stored as the SHA-256 of its random token like an offer link."""

    __tablename__ = "volunteer_link"
    __table_args__ = (
        _enum_check("purpose", VolunteerLinkPurpose),
        _pool_unique("volunteer_link"),
        _pool_fk(["volunteer_id"], "volunteer", ["id"], "volunteer_link_volunteer_in_pool"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    volunteer_id: int = Field(index=True)
    purpose: str = Field(max_length=10)
    token_hash: str = Field(max_length=64, unique=True)
    new_email: str = Field(default="", max_length=254)  # the address a confirmation link is for
    created_at: NaiveDatetime = Field(default_factory=local_now)
    expires_at: NaiveDatetime
    used_at: NaiveDatetime | None = None  # a confirmation link works once


class Qualification(SQLModel, table=True):
    """A qualification a volunteer has shown: one row per kind, renewed by changing its dates."""

    __table_args__ = (
        _enum_check("kind", QualificationKind),
        CheckConstraint(
            "valid_until IS NULL OR issued_on IS NULL OR valid_until >= issued_on",
            name="qualification_valid_after_issued",
        ),
        UniqueConstraint("volunteer_id", "kind", name="one_qualification_per_kind"),
        _pool_unique("qualification"),
        ForeignKeyConstraint(
            ["pool_id", "volunteer_id"],
            ["volunteer.pool_id", "volunteer.id"],
            name="qualification_volunteer_in_pool",
            ondelete="CASCADE",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    volunteer_id: int = Field(index=True)
    kind: str = Field(max_length=20)
    issued_on: date | None = None  # training or meeting day, date of the certificate
    valid_until: date | None = None  # last valid day; None: no end
    # the valid_until the expiry reminder was sent for: a renewal (a new date) gets its own reminder
    expiry_notice_for: date | None = None


class Loan(SQLModel, table=True):
    """An Ausleihe: the requesting pool (`pool_id`) asks another pool for one shared volunteer for one request.

    The one row that joins two pools; its constraints say which: the request is the asker's, the
    volunteer and the deciding account the lender's, and the two pools differ.
    """

    __tablename__ = "loan"
    __table_args__ = (
        _enum_check("status", LoanStatus),
        CheckConstraint("lender_pool_id <> pool_id", name="loan_between_two_pools"),
        CheckConstraint("(status = 'asked') = (decided_at IS NULL)", name="loan_decided_when_answered"),
        UniqueConstraint("request_id", "volunteer_id", name="one_loan_per_request_and_volunteer"),
        UniqueConstraint(
            "pool_id", "id", "request_id", "lender_pool_id", "volunteer_id", name="loan_offer_key"
        ),
        Index(
            "one_open_ask_per_request",
            "request_id",
            unique=True,
            sqlite_where=text("status = 'asked'"),
            postgresql_where=text("status = 'asked'"),
        ),
        _pool_unique("loan"),
        _pool_fk(["request_id"], "interpreting_request", ["id"], "loan_request_in_pool"),
        _pool_fk(["asked_by_id"], "app_user", ["id"], "loan_asked_by_in_pool"),
        ForeignKeyConstraint(
            ["lender_pool_id", "volunteer_id"],
            ["volunteer.pool_id", "volunteer.id"],
            name="loan_volunteer_of_lender",
        ),
        ForeignKeyConstraint(
            ["lender_pool_id", "decided_by_id"],
            ["app_user.pool_id", "app_user.id"],
            name="loan_decided_by_lender",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)  # the requesting pool
    lender_pool_id: int = Field(foreign_key="pool.id", index=True)
    request_id: int = Field(index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    status: str = Field(default=LoanStatus.ASKED, max_length=20)
    distance_km: float = 0.0  # the engine's, from the volunteer's home (0 for a call)
    asked_at: NaiveDatetime = Field(default_factory=local_now)
    asked_by_id: int | None = None
    decided_at: NaiveDatetime | None = None
    decided_by_id: int | None = None


class Offer(SQLModel, table=True):
    """A confirmed match sent to a volunteer, answered once through a link in the e-mail."""

    __table_args__ = (
        _enum_check("status", OfferStatus),
        Index(
            "one_accepted_offer_per_request",
            "request_id",
            unique=True,
            sqlite_where=text("status = 'accepted'"),
            postgresql_where=text("status = 'accepted'"),
        ),
        _pool_unique("offer"),
        UniqueConstraint("pool_id", "id", "volunteer_pool_id", "volunteer_id", name="offer_volunteer_key"),
        _pool_fk(["request_id"], "interpreting_request", ["id"], "offer_request_in_pool"),
        _volunteer_fk("offer_volunteer_in_own_pool"),
        CheckConstraint(
            "volunteer_pool_id = pool_id OR loan_id IS NOT NULL", name="offer_foreign_only_on_loan"
        ),
        ForeignKeyConstraint(
            ["pool_id", "loan_id", "request_id", "volunteer_pool_id", "volunteer_id"],
            ["loan.pool_id", "loan.id", "loan.request_id", "loan.lender_pool_id", "loan.volunteer_id"],
            name="offer_loan_of_this_request_and_volunteer",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    request_id: int = Field(index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    volunteer_pool_id: int | None = _volunteer_pool()
    loan_id: int | None = None  # set when another pool lent the volunteer
    status: str = Field(default=OfferStatus.PENDING, max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: NaiveDatetime = Field(default_factory=local_now)
    expires_at: NaiveDatetime
    answered_at: NaiveDatetime | None = None
    decline_reason: str = Field(default="", max_length=500)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class Assignment(SQLModel, table=True):
    """An Einsatz: a volunteer's confirmed time for a request, later completed and paid."""

    __table_args__ = (
        CheckConstraint('"end" > start', name="assignment_end_after_start"),
        CheckConstraint(
            "allowance_cents IS NULL OR allowance_cents >= 0", name="assignment_allowance_nonnegative"
        ),
        CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes >= 0", name="assignment_duration_nonneg"
        ),
        CheckConstraint("travel_km IS NULL OR travel_km >= 0", name="assignment_travel_nonnegative"),
        _enum_check("status", AssignmentStatus),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('took_place', 'late', 'early', 'no_show', 'volunteer_no_show')",
            name="assignment_outcome",
        ),
        Index(
            "one_active_assignment_per_request",
            "request_id",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        _pool_unique("assignment"),
        UniqueConstraint(
            "pool_id", "id", "volunteer_pool_id", "volunteer_id", name="assignment_volunteer_key"
        ),
        _pool_fk(["request_id"], "interpreting_request", ["id"], "assignment_request_in_pool"),
        _pool_fk(
            ["offer_id", "volunteer_pool_id", "volunteer_id"],
            "offer",
            ["id", "volunteer_pool_id", "volunteer_id"],
            "assignment_offer_in_pool",
        ),
        _volunteer_fk("assignment_volunteer_in_own_pool"),
        _pool_fk(["tariff_id"], "tariff", ["id"], "assignment_tariff_in_pool"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    request_id: int = Field(index=True)
    offer_id: int = Field(unique=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    volunteer_pool_id: int | None = _volunteer_pool()  # the offer's: another pool's only through a loan
    start: NaiveDatetime
    end: NaiveDatetime
    status: str = Field(default=AssignmentStatus.CONFIRMED, max_length=20)
    outcome: str | None = Field(default=None, max_length=20)
    duration_minutes: int | None = None
    travel_km: float | None = None
    travel_minutes: int | None = None
    allowance_cents: int | None = None
    tariff_id: int | None = None
    completed_at: NaiveDatetime | None = None
    completed_by: str | None = Field(default=None, max_length=80)
    calendar_sequence: int = 0
    # a written translation: its start and end are the due day, which it does not hold (no overlap backstop)
    written: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    reminder_sent_at: NaiveDatetime | None = None
    feedback_requested_at: NaiveDatetime | None = None  # the feedback links went out (once)
    created_at: NaiveDatetime = Field(default_factory=local_now)


class FeedbackSide(enum.StrEnum):
    """Who gives a feedback: the volunteer who interpreted, or the requesting institution's contact."""

    VOLUNTEER = "volunteer"
    INSTITUTION = "institution"


class Feedback(SQLModel, table=True):
    """One side's short feedback after an assignment (Rückmeldung), and the link it is given through.

    The row is made when the link is mailed (token stored as SHA-256, like an offer link) and filled once
    when the form is sent; rating and comment stay empty until then. The comment is personal data: erasure
    and retention blank it, reports never show it.
    """

    __table_args__ = (
        _enum_check("side", FeedbackSide),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="feedback_rating_range"),
        CheckConstraint("submitted_at IS NULL OR rating IS NOT NULL", name="feedback_submitted_rated"),
        CheckConstraint("NOT debriefing_wanted OR side = 'volunteer'", name="feedback_debriefing_volunteer"),
        UniqueConstraint("assignment_id", "side", name="one_feedback_per_side"),
        Index("ix_feedback_open_debriefing", "pool_id", "debriefing_wanted", "debriefing_done_at"),
        _pool_unique("feedback"),
        _pool_fk(["assignment_id"], "assignment", ["id"], "feedback_assignment_in_pool"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    assignment_id: int = Field(index=True)
    side: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: NaiveDatetime = Field(default_factory=local_now)
    expires_at: NaiveDatetime
    submitted_at: NaiveDatetime | None = Field(default=None, index=True)
    rating: int | None = None  # 1 (schlecht) … 5 (sehr gut)
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    debriefing_wanted: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    debriefing_done_at: NaiveDatetime | None = None
    debriefing_done_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class Tariff(SQLModel, table=True):
    """A version of the allowance scheme, valid from a date; closed months never change with it."""

    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="tariff_validity"),
        UniqueConstraint("pool_id", "valid_from", name="one_tariff_per_pool_and_day"),
        _pool_unique("tariff"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    name: str = Field(max_length=120)
    valid_from: date
    valid_until: date | None = None
    scheme: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: NaiveDatetime = Field(default_factory=local_now)


class PayoutMonth(SQLModel, table=True):
    """A month's payout list; closed means frozen: its files are made from the snapshot written at closing."""

    __tablename__ = "payout_month"
    __table_args__ = (
        UniqueConstraint("pool_id", "month", name="one_payout_month_per_pool"),
        _pool_unique("payout_month"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    month: str = Field(max_length=7)  # YYYY-MM
    closed_at: NaiveDatetime | None = None
    closed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    total_cents: int | None = None
    checksum: str | None = Field(default=None, max_length=64)
    pool_name: str | None = Field(default=None, max_length=200)  # as it stood at closing


class PayoutEntry(SQLModel, table=True):
    """One payable amount of a month: an assignment's allowance, or a correction naming the entry it corrects."""

    __tablename__ = "payout_entry"
    __table_args__ = (
        CheckConstraint(
            "amount_cents >= 0 OR corrects_entry_id IS NOT NULL",
            name="payout_entry_negative_only_as_correction",
        ),
        Index(
            "one_original_entry_per_assignment",
            "assignment_id",
            unique=True,
            sqlite_where=text("corrects_entry_id IS NULL"),
            postgresql_where=text("corrects_entry_id IS NULL"),
        ),
        _pool_unique("payout_entry"),
        UniqueConstraint("pool_id", "id", "volunteer_id", name="payout_entry_volunteer_key"),
        _pool_fk(["payout_month_id"], "payout_month", ["id"], "payout_entry_month_in_pool"),
        _pool_fk(
            ["assignment_id", "volunteer_pool_id", "volunteer_id"],
            "assignment",
            ["id", "volunteer_pool_id", "volunteer_id"],
            "payout_entry_assignment_in_pool",
        ),
        _volunteer_fk("payout_entry_volunteer_in_own_pool"),
        _pool_fk(["corrects_entry_id"], "payout_entry", ["id"], "payout_entry_corrects_in_pool"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    payout_month_id: int = Field(index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    volunteer_pool_id: int | None = _volunteer_pool()  # the assignment's
    assignment_id: int
    amount_cents: int
    corrects_entry_id: int | None = None
    note: str = Field(default="", max_length=500)
    created_at: NaiveDatetime = Field(default_factory=local_now)


class PayoutLine(SQLModel, table=True):
    """A volunteer's frozen sum of a closed month, one per volunteer and month."""

    __tablename__ = "payout_line"
    __table_args__ = (
        UniqueConstraint("payout_month_id", "volunteer_id", name="one_line_per_volunteer_month"),
        _pool_fk(["payout_month_id"], "payout_month", ["id"], "payout_line_month_in_pool"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    payout_month_id: int
    volunteer_id: int = Field(foreign_key="volunteer.id")
    assignments: int
    amount_cents: int
    year_to_date_cents: int
    # The volunteer as paid at closing: a later change of name or account changes no closed file.
    name: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    iban_encrypted: str | None = Field(default=None, max_length=400)  # the volunteer's ciphertext, copied
    iban_masked: str | None = Field(default=None, max_length=60)


class PayoutLineItem(SQLModel, table=True):
    """One entry of a closed month as its files show it, frozen at closing (institution, date, amount …)."""

    __tablename__ = "payout_line_item"
    __table_args__ = (
        _pool_fk(["payout_month_id"], "payout_month", ["id"], "payout_line_item_month_in_pool"),
        _pool_fk(
            ["entry_id", "volunteer_id"],
            "payout_entry",
            ["id", "volunteer_id"],
            "payout_line_item_entry_in_pool",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    payout_month_id: int = Field(index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id")
    entry_id: int = Field(unique=True)
    assignment_ref: str = Field(max_length=20)  # "a17"
    day: date
    institution: str = Field(max_length=200)
    duration_minutes: int
    outcome: str = Field(max_length=20)
    amount_cents: int
    corrects: str | None = Field(default=None, max_length=40)  # "2025-02/a17"
    note: str = Field(default="", max_length=500)


class PayoutDocument(SQLModel, table=True):
    """A closed month's printed list, made once at closing from its snapshot and handed out as it was made.

    Laying out a month's PDF takes fpdf2 a quarter of a second; a closed month never changes (its checksum
    says so), so every later download sends these bytes.
    """

    __tablename__ = "payout_document"
    __table_args__ = (
        UniqueConstraint("payout_month_id", "format", name="one_document_per_month_and_format"),
        _pool_fk(["payout_month_id"], "payout_month", ["id"], "payout_document_month_in_pool"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    payout_month_id: int
    format: str = Field(max_length=8)  # "pdf"
    checksum: str = Field(max_length=64)  # the month's checksum the document was made from
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: NaiveDatetime = Field(default_factory=local_now)


class SepaFile(SQLModel, table=True):
    """A SEPA transfer file handed out; its row number makes the file's MsgId and PmtInfId unique."""

    __tablename__ = "sepa_file"
    __table_args__ = (_pool_fk(["payout_month_id"], "payout_month", ["id"], "sepa_file_month_in_pool"),)

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    payout_month_id: int = Field(index=True)
    message_id: str | None = Field(default=None, max_length=35, unique=True)  # set right after the insert
    created_at: NaiveDatetime = Field(default_factory=local_now)
    created_by: str = Field(default="", max_length=60)
    transactions: int = 0
    total_cents: int = 0
    execution_date: date | None = None


class User(SQLModel, table=True):
    """A coordinator or admin account of the KI."""

    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL
    __table_args__ = (_enum_check("role", Role), _pool_unique("app_user"))

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=300)
    role: str = Field(default=Role.COORDINATOR, max_length=20)
    active: bool = True
    created_at: NaiveDatetime = Field(default_factory=local_now)
    last_login_at: NaiveDatetime | None = None
    session_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # +1 at logout

    # Flask-Login's protocol, spelled out so the table needs no mixin.
    @property
    def is_authenticated(self) -> bool:
        """Say that a loaded user is logged in."""
        return True

    @property
    def is_active(self) -> bool:
        """Let deactivated accounts be refused at login."""
        return self.active

    @property
    def is_anonymous(self) -> bool:
        """Say that a loaded user is not anonymous."""
        return False

    def get_id(self) -> str:
        """Return the id Flask-Login keeps in the session."""
        return str(self.id)


class ApiToken(SQLModel, table=True):
    """A bearer token of a coordinator for the JSON API, stored as a SHA-256 hash."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    label: str = Field(default="", max_length=120)  # what the token is for, e.g. "Schulverwaltung"
    created_at: NaiveDatetime = Field(default_factory=local_now)
    expires_at: NaiveDatetime | None = None
    last_used_at: NaiveDatetime | None = None
    revoked_at: NaiveDatetime | None = None


class LoginFailure(SQLModel, table=True):
    """A failed login, kept briefly so throttling holds across workers."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, index=True)
    at: NaiveDatetime = Field(default_factory=local_now, index=True)


class AuditEvent(SQLModel, table=True):
    """An append-only record of who changed what, from which state to which."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: NaiveDatetime = Field(default_factory=local_now, index=True)
    actor: str = Field(max_length=120)
    entity: str = Field(max_length=40)
    entity_id: str = Field(max_length=40)
    action: str = Field(max_length=60)
    from_state: str | None = Field(default=None, max_length=20)
    to_state: str | None = Field(default=None, max_length=20)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class OutboxMail(SQLModel, table=True):
    """A mail queued in the same transaction as the change that causes it."""

    __tablename__ = "outbox_mail"
    __table_args__ = (_enum_check("status", MailStatus), Index("ix_outbox_due", "status", "next_attempt_at"))

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int | None = Field(default=None, foreign_key="pool.id", index=True)  # None: the installation's
    dedupe_key: str = Field(max_length=200, unique=True)
    message_id: str = Field(max_length=200, unique=True)
    recipient: str = Field(max_length=254)
    reply_to: str = Field(default="", sa_column=Column(String(254), nullable=False, server_default=""))
    subject: str = Field(max_length=300)
    body_text: str
    body_html: str
    attachments: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=MailStatus.PENDING, max_length=20)
    attempts: int = 0
    next_attempt_at: NaiveDatetime = Field(default_factory=local_now)
    last_error: str = Field(default="", sa_column=Column(String(1000), nullable=False, server_default=""))
    created_at: NaiveDatetime = Field(default_factory=local_now)
    sent_at: NaiveDatetime | None = None


class JobRun(SQLModel, table=True):
    """One run of a scheduled job for one period; the unique key makes a second run a no-op."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "period", name="one_run_per_job_period"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=60)
    period: str = Field(max_length=40)
    started_at: NaiveDatetime = Field(default_factory=local_now)
    finished_at: NaiveDatetime | None = None
    detail: str = Field(default="", max_length=1000)


class SchedulerLease(SQLModel, table=True):
    """Who runs the scheduler; a second scheduler idles while the lease is held."""

    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(max_length=120)
    expires_at: NaiveDatetime


class PoolClosure(SQLModel, table=True):
    """A day the pool takes no requests (holiday closure)."""

    __tablename__ = "pool_closure"

    pool_id: int = Field(foreign_key="pool.id", primary_key=True)
    day: date = Field(primary_key=True)
    note: str = Field(default="", max_length=200)


class RunStatus(enum.StrEnum):
    """A matching run: queued → running → done | failed (a worker that stops answering counts as failed)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


ACTIVE_RUN_STATES = (RunStatus.QUEUED, RunStatus.RUNNING)


class MatchingRun(SQLModel, table=True):
    """A matching run: queued by a coordinator, solved in the background, its validated result kept.

    Other workers read the proposals, and the page reads the progress, from this row. At most one run
    per pool is queued or running (the partial unique index), whichever worker or scheduler tries.
    """

    __tablename__ = "matching_run"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name="matching_run_status_known"
        ),
        Index(
            "one_active_matching_run_per_pool",
            "pool_id",
            unique=True,
            sqlite_where=text("status IN ('queued', 'running')"),
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="pool.id", index=True)
    created_at: NaiveDatetime = Field(default_factory=local_now, index=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=RunStatus.DONE, max_length=10, index=True)
    time_limit_s: float = 10.0
    worker: str | None = Field(default=None, max_length=120)  # who claimed it: host:pid:thread
    started_at: NaiveDatetime | None = None
    heartbeat_at: NaiveDatetime | None = None  # renewed while solving; a stale one means the worker died
    finished_at: NaiveDatetime | None = None
    phase: str = Field(default="", max_length=300)  # German, for the page and the command
    level: int = 0  # objective levels finished, of `levels`
    levels: int = 4
    objective: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    error: str | None = Field(default=None, max_length=1000)  # German, for the coordinator


def request_language_join() -> Any:
    """Join a request to its language within its pool (a code alone names a language in every pool)."""
    return (Language.pool_id == InterpretingRequest.pool_id) & (
        Language.code == InterpretingRequest.language_code
    )


def request_municipality_join() -> Any:
    """Join a request to its municipality within its pool."""
    return (Municipality.pool_id == InterpretingRequest.pool_id) & (
        Municipality.id == InterpretingRequest.municipality_id
    )
