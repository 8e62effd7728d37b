"""The engine stays a pure package: no web framework or database layer is ever loaded."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import matching, matching.solver, matching.greedy, matching.validation, matching.ranking, matching.__main__
import sys
forbidden = {'flask', 'sqlmodel', 'sqlalchemy', 'sprachmittlerpool'}
assert not any(m.split('.')[0] in forbidden for m in sys.modules)
"""


def test_engine_imports_no_flask_sqlmodel_sqlalchemy_or_app():
    completed = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0, completed.stderr


def test_importing_the_package_does_not_load_ortools():
    code = "import matching, sys; matching.SolverConfig; assert 'ortools' not in sys.modules"
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0, completed.stderr
