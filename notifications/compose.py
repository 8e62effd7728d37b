"""Compose mails from .txt + .html template pairs (pure: no app, no database).

Templates live in notifications/templates/<name>.txt and <name>.html. The first line of
the .txt template is `Subject: …`; the rest is the plain body. HTML is autoescaped, and
plain text carries no markup to escape; subjects lose line breaks so no header can be injected.
Every mail is composed for a pool: its identity (passed in as data) signs the mail, fills the footer
(_layout.html, _footer.txt) and gives the Reply-To address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from sprachmittlerpool.identity import PoolIdentity

TEMPLATES = Path(__file__).parent / "templates"

SUBJECT, BODY = "#subject", "#body"


class _SplitLoader(FileSystemLoader):
    """Serve a .txt template's subject line and body as two templates of their own ("x.txt#subject").

    So both go through the environment's cache: each is compiled once per process, not once per mail,
    and a changed file is still picked up (the file's own up-to-date check).
    """

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Any]:
        """Return the part the name asks for; a name without a part is the whole file."""
        name, part = template, ""
        for suffix in (SUBJECT, BODY):
            if template.endswith(suffix):
                name, part = template.removesuffix(suffix), suffix
        source, filename, uptodate = super().get_source(environment, name)
        if not part:
            return source, filename, uptodate
        first, _, body = source.partition("\n")
        if not first.startswith("Subject:"):
            raise ValueError(f"{name} must start with a Subject: line")
        return (first.removeprefix("Subject:") if part == SUBJECT else body), filename, uptodate


_html = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), undefined=StrictUndefined
)
_text = Environment(loader=_SplitLoader(TEMPLATES), autoescape=False, undefined=StrictUndefined)  # noqa: S701 (plain text mail)


@dataclass(frozen=True)
class Attachment:
    """A file sent with a mail (e.g. an .ics calendar entry)."""

    filename: str
    content_type: str
    content: str


@dataclass(frozen=True)
class Mail:
    """A composed mail, ready to be queued."""

    recipient: str
    subject: str
    body_text: str
    body_html: str
    dedupe_key: str
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    reply_to: str = ""  # the pool's address: answers reach the KI, not the sending relay


def compose(
    template: str,
    *,
    recipient: str,
    dedupe_key: str,
    pool: PoolIdentity,
    context: dict[str, Any],
    attachments: tuple[Attachment, ...] = (),
) -> Mail:
    """Render a template pair into a Mail of `pool`; the dedupe key names the logical message (one per key)."""
    if any(char in address for address in (recipient, pool.reply_to) for char in "\r\n"):
        raise ValueError("recipient and reply-to must be single addresses")
    context = {**context, "pool": pool}
    # The subject is rendered on its own, so a line break in a value can neither add a header nor cut the body.
    subject = " ".join(_text.get_template(f"{template}.txt{SUBJECT}").render(**context).split())
    body = _text.get_template(f"{template}.txt{BODY}").render(**context)
    html = _html.get_template(f"{template}.html").render(subject=subject, **context)
    return Mail(
        recipient=recipient,
        subject=subject,
        body_text=body.lstrip("\n"),
        body_html=html,
        dedupe_key=dedupe_key,
        attachments=attachments,
        reply_to=pool.reply_to,
    )
