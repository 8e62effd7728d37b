"""docs/security.md names the tests that prove each checklist item; a renamed or deleted test must not leave
the data protection officer reading a name that proves nothing."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# `tests/x.py::name`, `::name` (same file as the reference before it), or a bare `tests/x.py`.
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?::(\w+)(?:\[[^\]`]*\])?`|`(tests/[\w/]+\.py)`")


def named_tests(text: str) -> list[tuple[str, str]]:
    """Return (file, function) for every test the text names, resolving `::name` to the file named before."""
    names, current = [], None
    for match in REFERENCE.finditer(text):
        path, name, bare = match.groups()
        current = path or bare or current
        if name:
            names.append((current or "?", name))
    return names


def defined(path: Path) -> set[str]:
    return {
        node.name
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_every_test_the_security_mapping_names_exists() -> None:
    names = named_tests((ROOT / "docs" / "security.md").read_text())
    files = {path: defined(ROOT / path) for path in {path for path, _ in names} if (ROOT / path).is_file()}

    missing = [f"{path}::{name}" for path, name in names if name not in files.get(path, set())]

    assert len(names) > 200
    assert missing == []


def test_a_stale_name_would_be_noticed() -> None:
    text = "`tests/hardening/test_security_doc.py::test_a_stale_name_would_be_noticed`, `::no_such_test`"

    assert named_tests(text) == [
        ("tests/hardening/test_security_doc.py", "test_a_stale_name_would_be_noticed"),
        ("tests/hardening/test_security_doc.py", "no_such_test"),
    ]
    assert "no_such_test" not in defined(Path(__file__))
