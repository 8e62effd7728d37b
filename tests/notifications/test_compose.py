"""Composed mails escape what people typed and cannot smuggle in headers."""

from __future__ import annotations

import pytest
from flask import Flask

from notifications.compose import compose
from notifications.relay import deliver_due
from sprachmittlerpool.identity import PoolIdentity
from sprachmittlerpool.models import local_now

pytestmark = pytest.mark.usefixtures("test_templates")

SCRIPT = "<script>alert(1)</script>"
POOL = PoolIdentity(name="Sprachmittlerpool Kreis Kleve", email="pool@kreis-kleve.example")


def test_html_escapes_script_in_context_values():
    mail = compose(
        "test_hinweis",
        recipient="a@beispiel.de",
        dedupe_key="k",
        pool=POOL,
        context={"name": SCRIPT, "topic": "Termin"},
    )

    assert SCRIPT not in mail.body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.body_html
    assert SCRIPT in mail.body_text  # plain text has no markup to escape


def test_a_newline_in_the_subject_cannot_inject_a_header(app_config, smtp_server, request):
    app_config.update(smtp_server.config())
    app: Flask = request.getfixturevalue("app")
    evil = "Termin\r\nBcc: alle@evil.example\nX-Injected: ja"
    mail = compose(
        "test_hinweis",
        recipient="a@beispiel.de",
        dedupe_key="k",
        pool=POOL,
        context={"name": "Ada", "topic": evil},
    )
    queue_mail = request.getfixturevalue("queue_mail")
    queue_mail(mail.recipient, subject=mail.subject)

    deliver_due(app, now=local_now())

    (message,) = smtp_server.wait_for(1)
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert mail.subject == "Hinweis zu Termin Bcc: alle@evil.example X-Injected: ja"
    assert mail.body_text.startswith("Guten Tag Ada,")
    assert message["Subject"].startswith("Hinweis zu Termin")


def test_a_recipient_with_a_newline_is_refused():
    with pytest.raises(ValueError):
        compose(
            "test_hinweis",
            recipient="a@beispiel.de\nBcc: b@evil.example",
            dedupe_key="k",
            pool=POOL,
            context={"name": "Ada", "topic": "x"},
        )


def test_templates_are_compiled_once_not_per_mail(monkeypatch):
    """A second mail from the same template pair reuses the compiled templates of the environments' cache."""
    from notifications import compose as module

    compiled: list[str] = []
    for env in (module._html, module._text):
        env.cache.clear()
        real = env.compile

        def counting(source, name=None, filename=None, *args, _real=real, **kwargs):
            compiled.append(name)
            return _real(source, name, filename, *args, **kwargs)

        monkeypatch.setattr(env, "compile", counting)

    def mail(n: int):
        return compose(
            "test_hinweis",
            recipient=f"a{n}@beispiel.de",
            dedupe_key=f"k{n}",
            pool=POOL,
            context={"name": f"Frau {n}", "topic": "Termin"},
        )

    first = mail(1)
    after_first = list(compiled)
    second = mail(2)

    assert {"test_hinweis.txt#subject", "test_hinweis.txt#body", "test_hinweis.html"} <= set(after_first)
    assert compiled == after_first  # nothing compiled for the second mail
    assert "Frau 2" in second.body_text and "Frau 1" in first.body_text
