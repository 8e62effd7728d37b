"""The pool's identity and paying account: read for pages, mails and files; changed by its admins.

Every page, mail and file learns the pool's name and contact from `identity_of` (one place), never
from the configuration. The paying account's IBAN is encrypted like a volunteer's, bound to the pool
row ("pool:<id>", so it cannot be swapped with volunteer <id>'s), and decrypted only for the SEPA file.
Audit rows name the changed fields, never their values.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from sprachmittlerpool.ibans import (
    InvalidIban,
    decrypt_iban,
    encrypt_iban,
    mask_iban,
    validate_bic,
    validate_iban,
)
from sprachmittlerpool.identity import AccountInput, PoolIdentity
from sprachmittlerpool.models import Pool
from sprachmittlerpool.services import audit

IDENTITY_COLUMNS = (
    "name",
    "organisation",
    "postal_address",
    "phone",
    "email",
    "opening_hours",
    "impressum_md",
    "privacy_md",
)
ACCOUNT_PAGE = "Einstellungen → Zahlungskonto (/einstellungen/zahlungskonto)"


class NoPayingAccountError(LookupError):
    """The pool has no paying account yet; the message is one German sentence naming the settings page."""


@dataclass(frozen=True)
class PayingAccount:
    """The account the pool pays allowances from, as the SEPA file needs it."""

    holder: str
    iban: str
    bic: str


def pool_row(session: Session, pool_id: int) -> Pool:
    """Load a pool row that must exist (ids come from the table itself)."""
    pool = session.get(Pool, pool_id)
    if pool is None:
        raise LookupError(f"pool {pool_id} does not exist")
    return pool


def identity_of(session: Session, *, pool_id: int, base_url: str) -> PoolIdentity:
    """Return what people see of the pool, with links under `base_url`."""
    pool = pool_row(session, pool_id)
    return PoolIdentity(
        name=pool.name,
        organisation=pool.organisation,
        postal_address=pool.postal_address,
        phone=pool.phone,
        email=pool.email,
        opening_hours=pool.opening_hours,
        base_url=base_url,
    )


def update_identity(session: Session, *, pool_id: int, values: dict[str, str], actor: str) -> list[str]:
    """Store checked identity values, audit the names of the changed fields, commit; return those names."""
    pool = pool_row(session, pool_id)
    changed = [column for column in IDENTITY_COLUMNS if getattr(pool, column) != values[column]]
    if not changed:
        return []
    for column in changed:
        setattr(pool, column, values[column])
    session.add(pool)
    audit.record(
        session,
        actor=actor,
        entity="pool",
        entity_id=str(pool_id),
        action="identity_changed",
        detail={"fields": changed},
    )
    session.commit()
    return changed


def _aad(pool_id: int) -> str:
    """Name the pool row as the IBAN's associated data, distinct from any volunteer's row id."""
    return f"pool:{pool_id}"


def update_account(
    session: Session, *, pool_id: int, account: AccountInput, key: bytes, actor: str
) -> list[str]:
    """Store a checked paying account (IBAN encrypted, masked for display), audit and commit."""
    pool = pool_row(session, pool_id)
    changed = set_account(pool, account, key=key)
    if changed:
        session.add(pool)
        audit.record(
            session,
            actor=actor,
            entity="pool",
            entity_id=str(pool_id),
            action="account_changed",
            detail={"fields": changed},
        )
        session.commit()
    return changed


def set_account(pool: Pool, account: AccountInput, *, key: bytes) -> list[str]:
    """Put a checked account on the pool row (no commit); return the names of the changed fields."""
    updates = (("account_holder", account.holder), ("bic", account.bic))
    changed = [name for name, value in updates if getattr(pool, name) != value]
    pool.account_holder, pool.bic = account.holder, account.bic
    if account.iban is not None:
        assert pool.id is not None
        pool.iban_encrypted = encrypt_iban(account.iban, key=key, row_id=_aad(pool.id))
        pool.iban_masked = mask_iban(account.iban)
        changed.append("iban")
    return changed


def remove_account(session: Session, *, pool_id: int, actor: str) -> bool:
    """Forget the paying account (SEPA files stop until a new one is set); tell whether there was one."""
    pool = pool_row(session, pool_id)
    if not (pool.iban_encrypted or pool.account_holder or pool.bic):
        return False
    pool.account_holder, pool.bic, pool.iban_encrypted, pool.iban_masked = "", "", None, None
    session.add(pool)
    audit.record(session, actor=actor, entity="pool", entity_id=str(pool_id), action="account_removed")
    session.commit()
    return True


def paying_account(session: Session, *, pool_id: int, key: bytes) -> PayingAccount:
    """Return the pool's paying account with the plain IBAN (the SEPA file's debtor), or refuse in German."""
    pool = pool_row(session, pool_id)
    if not (pool.iban_encrypted and pool.account_holder and pool.bic):
        raise NoPayingAccountError(
            f"Für die SEPA-Datei fehlt das Zahlungskonto des Pools: bitte unter {ACCOUNT_PAGE} "
            "Kontoinhaber, IBAN und BIC eintragen."
        )
    iban = decrypt_iban(pool.iban_encrypted, key=key, row_id=_aad(pool_id))
    try:  # the settings page checks both; a row changed behind its back must not reach the bank
        return PayingAccount(holder=pool.account_holder, iban=validate_iban(iban), bic=validate_bic(pool.bic))
    except InvalidIban:
        raise NoPayingAccountError(
            f"Das Zahlungskonto des Pools ist ungültig: bitte unter {ACCOUNT_PAGE} IBAN und BIC prüfen."
        ) from None
