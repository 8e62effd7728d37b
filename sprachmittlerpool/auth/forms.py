"""The login form."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """E-mail and password of a coordinator."""

    email = EmailField(
        "E-Mail-Adresse",
        validators=[DataRequired("Bitte geben Sie Ihre E-Mail-Adresse ein."), Length(max=254)],
    )
    password = PasswordField(
        "Passwort", validators=[DataRequired("Bitte geben Sie Ihr Passwort ein."), Length(max=200)]
    )
