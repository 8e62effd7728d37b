"""Regenerate the initial schema migration from the models while no release has shipped it.

Run: .venv/bin/python tools/regen_migration.py
Later revisions (data migrations such as 0002) are set aside while 0001 is generated and put back
after, so they keep following it. Once a release is out, add new revisions with Alembic instead of
rewriting this one.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from alembic import command

from sprachmittlerpool.db import make_engine
from sprachmittlerpool.migrate import MIGRATIONS, alembic_config

VERSIONS = MIGRATIONS / "versions"
TARGET = VERSIONS / "0001_initial_schema.py"


def main() -> None:
    """Rewrite 0001 from the current models and re-attach the integrity backstops."""
    with tempfile.TemporaryDirectory() as folder:
        later = [path for path in VERSIONS.glob("*.py") if path != TARGET]
        for path in later:
            shutil.move(path, Path(folder) / path.name)
        try:
            TARGET.unlink(missing_ok=True)
            _generate(Path(folder))
        finally:
            for path in later:
                shutil.move(Path(folder) / path.name, path)
    source = TARGET.read_text()
    source = source.replace(
        "from alembic import op\n", "from alembic import op\n\nfrom sprachmittlerpool import integrity\n", 1
    )
    source = source.replace(
        "    # ### end Alembic commands ###\n",
        "    # ### end Alembic commands ###\n    integrity.install(op.get_bind())\n",
        1,
    )
    source = source.replace(
        "def downgrade() -> None:\n", "def downgrade() -> None:\n    integrity.uninstall(op.get_bind())\n", 1
    )
    TARGET.write_text(source)
    print(f"rewrote {TARGET}")


def _generate(folder: Path) -> None:
    engine = make_engine(f"sqlite:///{folder / 'empty.sqlite'}")
    with engine.begin() as connection:
        command.revision(
            alembic_config(connection), message="initial schema", autogenerate=True, rev_id="0001"
        )
    engine.dispose()


if __name__ == "__main__":
    main()
