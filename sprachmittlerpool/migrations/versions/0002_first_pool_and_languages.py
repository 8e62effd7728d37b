"""the first pool and the standard languages

A fresh database gets one pool with a neutral name (the admin sets the district's identity in the
settings) and the standard list of languages, so the request form works without demo data.
The list is frozen here: later changes to the shipped list go into migrations of their own.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRST_POOL_ID = 1  # every other column of the pool has a server default
STANDARD_LANGUAGES = (
    ("uk", "Ukrainisch"),
    ("ru", "Russisch"),
    ("ar", "Arabisch"),
    ("fa", "Persisch (Farsi)"),
    ("prs", "Dari"),
    ("ps", "Paschtu"),
    ("tr", "Türkisch"),
    ("kmr", "Kurdisch (Kurmandschi)"),
    ("ckb", "Kurdisch (Sorani)"),
    ("ti", "Tigrinya"),
    ("am", "Amharisch"),
    ("so", "Somali"),
    ("sq", "Albanisch"),
    ("ro", "Rumänisch"),
    ("bg", "Bulgarisch"),
    ("pl", "Polnisch"),
    ("sr", "Serbisch"),
    ("hr", "Kroatisch"),
    ("bs", "Bosnisch"),
    ("mk", "Mazedonisch"),
    ("el", "Griechisch"),
    ("it", "Italienisch"),
    ("es", "Spanisch"),
    ("pt", "Portugiesisch"),
    ("fr", "Französisch"),
    ("en", "Englisch"),
    ("nl", "Niederländisch"),
    ("hy", "Armenisch"),
    ("ka", "Georgisch"),
    ("mn", "Mongolisch"),
    ("ber", "Berberisch (Tamazight)"),
    ("ur", "Urdu"),
    ("hi", "Hindi"),
    ("ta", "Tamil"),
    ("vi", "Vietnamesisch"),
    ("zh", "Chinesisch"),
    ("rom", "Romanes"),
    ("ku", "Kurdisch (ohne Angabe)"),
    ("az", "Aserbaidschanisch"),
    ("be", "Belarussisch"),
)

pool = sa.table(
    "pool",
    sa.column("id", sa.Integer),
    sa.column("slug", sa.String),
    sa.column("name", sa.String),
)
language = sa.table(
    "language", sa.column("pool_id", sa.Integer), sa.column("code", sa.String), sa.column("name_de", sa.String)
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.select(sa.func.count()).select_from(pool)).scalar():
        return
    op.bulk_insert(
        pool,
        [
            {
                "id": FIRST_POOL_ID,
                "slug": "pool",
                "name": "Sprachmittlerpool",
            }
        ],
    )
    if bind.dialect.name == "postgresql":  # an explicit id leaves the sequence behind
        op.execute("SELECT setval(pg_get_serial_sequence('pool', 'id'), (SELECT max(id) FROM pool))")
    op.bulk_insert(
        language, [{"pool_id": FIRST_POOL_ID, "code": code, "name_de": name} for code, name in STANDARD_LANGUAGES]
    )


def downgrade() -> None:
    op.execute(language.delete().where(language.c.pool_id == FIRST_POOL_ID))
    op.execute(pool.delete().where(pool.c.id == FIRST_POOL_ID))
