"""flask serve: the single-process server of `make run`, with the scheduler inside."""

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import BaseWSGIServer, make_server

from sprachmittlerpool.logsafe import MaskingRequestHandler


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Serve the app and, unless SCHEDULER is false, run the scheduled jobs in this process."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["SCHEDULER"]:
        from notifications.scheduler import start_scheduler

        start_scheduler(app)
    click.echo(f"Sprachmittlerpool läuft auf http://{host}:{port}/ (Beenden mit Strg+C)")
    _print_demo_login()
    dev_server(app, host, port).serve_forever()


def dev_server(app, host: str, port: int) -> BaseWSGIServer:
    """Build the Werkzeug server app.run() would start (it refuses to block inside a flask command).

    Its access log masks link tokens: the log of `make run` must not open volunteers' offers.
    """
    return make_server(host, port, app, threaded=True, request_handler=MaskingRequestHandler)


def _print_demo_login() -> None:
    from sprachmittlerpool.demo import demo_login_path

    path = demo_login_path()
    if path.exists():
        email, password = path.read_text().split()[:2]
        click.echo(f"Demo-Anmeldung: {email} / Passwort: {password}  (http://127.0.0.1:5000/anmelden)")
