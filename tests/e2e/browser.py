"""What every browser test shares: Debian's Chromium, its flags, the e2e marks and the two-width screenshot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"  # Debian's package, never a downloaded browser
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"desktop": 1280, "phone": 390}

BROWSER_MARKS = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
        reason="no Chromium at /usr/bin/chromium (in CI a missing browser fails instead)",
    ),
]


def shoot(page, url: str, name: str, screens: Path) -> None:
    """Screenshot a page at desktop and phone width and check nothing but tables scrolls sideways on the phone."""
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        page.screenshot(path=str(screens / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow} px at {label} width"


def log_in_as_coordinator(page, base: str) -> None:
    """Log the test's coordinator in through the login form, as a person would."""
    from tests.conftest import COORDINATOR_EMAIL, COORDINATOR_PASSWORD

    page.goto(f"{base}/anmelden")
    page.fill("#email", COORDINATOR_EMAIL)
    page.fill("#password", COORDINATOR_PASSWORD)
    page.click("main button[type=submit]")
