"""flask serve: the single-process server of `make run`, with the scheduler inside."""

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple


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
    # app.run() refuses to block inside a flask command; Werkzeug's server is what it would start.
    run_simple(host, port, app, threaded=True, use_reloader=False)


def _print_demo_login() -> None:
    from sprachmittlerpool.demo import demo_login_path

    path = demo_login_path()
    if path.exists():
        email, password = path.read_text().split()[:2]
        click.echo(f"Demo-Anmeldung: {email} / Passwort: {password}  (http://127.0.0.1:5000/anmelden)")
