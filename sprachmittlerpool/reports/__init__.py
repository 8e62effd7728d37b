"""The committee's figures."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
