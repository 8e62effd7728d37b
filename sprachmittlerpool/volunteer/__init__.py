"""Pages volunteers reach from links in their e-mails (no login)."""

from flask import Blueprint

bp = Blueprint("volunteer", __name__)
