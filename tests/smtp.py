"""A real SMTP server for tests: aiosmtpd in a thread, with scripted answers to test retries."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        if self.sink.scripted:
            answer = self.sink.scripted.pop(0)
            if not answer.startswith("250"):
                return answer
        self.sink.accepted(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class SmtpSink:
    """Collects delivered messages; `scripted` answers (e.g. "451 …", "550 …") come first, in order.

    With a `tls_context` the server offers STARTTLS and refuses mail before it, like a real relay
    that requires encryption (with `implicit_tls`, it speaks TLS from the first byte, like port 465);
    the context's certificate decides whether the client trusts it.
    """

    def __init__(self, tls_context: ssl.SSLContext | None = None, *, implicit_tls: bool = False) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.scripted: list[str] = []
        tls: dict[str, object] = {}
        if tls_context is not None:
            tls = (
                {"ssl_context": tls_context}
                if implicit_tls
                else {"tls_context": tls_context, "require_starttls": True}
            )
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **tls)

    def start(self) -> None:
        """Start listening."""
        self._controller.start()

    def accepted(self, message: EmailMessage) -> None:
        """Keep a message the server is about to answer 250 for (a subclass may act at that moment)."""
        self.messages.append(message)

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()

    def config(self) -> dict[str, object]:
        """Return the app settings that send mail to this server."""
        return {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": self.port,
            "MAIL_USE_TLS": False,
            "MAIL_USE_SSL": False,
        }

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until `count` messages have arrived and return them all."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"expected {count} mails, got {len(self.messages)}"
        return list(self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        """Return the messages addressed to one recipient."""
        return [m for m in self.messages if address in str(m["To"])]


class SilentServer:
    """A mail server that hangs: it accepts TCP connections and never says a word (no greeting, no answer).

    `connections` counts who knocked, so a test can show something did (or did not) talk to it.
    """

    def __init__(self) -> None:
        self.connections = 0
        self._held: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)  # so the accept loop notices stop()
        self.port = self._listener.getsockname()[1]
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> None:
        """Start accepting in the background."""
        self._thread.start()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            self._held.append(connection)

    def stop(self) -> None:
        """Close the listener and every held connection, freeing the port for a real server."""
        self._stopping.set()
        self._thread.join(timeout=5)
        self._listener.close()
        for connection in self._held:
            connection.close()
