"""Development page listing mails written to instance/mail/ when no SMTP server is configured."""

from flask import Blueprint

bp = Blueprint("devmail", __name__)
