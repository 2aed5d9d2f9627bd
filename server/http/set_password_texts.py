# ruff: noqa: E501 (a table of sentences, one a line)
"""The set-password page's sentences (set_password.py): English as written there,
and each in German; a language without its table here gets the English. Kept
beside the page, not in the mails' catalogues, which hold exactly the templates'
sentences (tests/mail/test_catalogues.py); tests/http/test_set_password_page.py
checks that every sentence of the page has its German."""

from __future__ import annotations

from collections.abc import Callable

GERMAN: dict[str, str] = {
    "Enter your login or e-mail address. We mail you a link to set a new password.": "Geben Sie Ihren Login oder Ihre E-Mail-Adresse ein. Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort festlegen.",
    "Forgot your Connect password?": "Connect-Passwort vergessen?",
    "If your location allows it and the login or address is known, a link to set a new password is on its way to your e-mail address. It works once. If no mail arrives, contact your administrator.": "Wenn Ihr Standort es erlaubt und der Login oder die Adresse bekannt ist, ist ein Link zum Festlegen eines neuen Passworts unterwegs an Ihre E-Mail-Adresse. Er funktioniert einmal. Kommt keine E-Mail an, wenden Sie sich an Ihren Administrator.",
    "Login or e-mail address": "Login oder E-Mail-Adresse",
    "Login:": "Login:",
    "New password": "Neues Passwort",
    "Repeat the new password": "Neues Passwort wiederholen",
    "Send link": "Link senden",
    "Set password": "Passwort festlegen",
    "Set your new Connect password": "Legen Sie Ihr neues Connect-Passwort fest",
    "The password must have at least %(num)s characters.": "Das Passwort muss mindestens %(num)s Zeichen haben.",
    "The password must have at most %(num)s characters.": "Das Passwort darf höchstens %(num)s Zeichen haben.",
    "The password must not contain the login.": "Das Passwort darf den Login nicht enthalten.",
    "The password needs a digit.": "Das Passwort braucht eine Ziffer.",
    "The password needs a lowercase letter.": "Das Passwort braucht einen Kleinbuchstaben.",
    "The password needs a symbol.": "Das Passwort braucht ein Sonderzeichen.",
    "The password needs an uppercase letter.": "Das Passwort braucht einen Großbuchstaben.",
    "The two passwords differ.": "Die beiden Passwörter sind verschieden.",
    "Too many requests. Try again in 15 minutes.": "Zu viele Anfragen. Versuchen Sie es in 15 Minuten erneut.",
    "This link has expired. Ask your administrator to reset your password again.": "Dieser Link ist abgelaufen. Bitten Sie Ihren Administrator, Ihr Passwort erneut zurückzusetzen.",
    "This link is no longer valid: your account is blocked, or your password was changed or reset again since. Contact your administrator.": "Dieser Link ist nicht mehr gültig: Ihr Konto ist gesperrt, oder Ihr Passwort wurde seitdem geändert oder erneut zurückgesetzt. Wenden Sie sich an Ihren Administrator.",
    "This link is not valid. Check that you opened the whole link from the mail.": "Dieser Link ist ungültig. Prüfen Sie, ob Sie den vollständigen Link aus der E-Mail geöffnet haben.",
    "This link was already used. If you did not set the password yourself, contact your administrator.": "Dieser Link wurde bereits verwendet. Wenn Sie das Passwort nicht selbst festgelegt haben, wenden Sie sich an Ihren Administrator.",
    "Your new password is set. Sign in with it now.": "Ihr neues Passwort ist festgelegt. Melden Sie sich jetzt damit an.",
}
TRANSLATIONS = {"de": GERMAN}
LANGUAGES = ("de", "en")


def gettext(language: str) -> Callable[[str], str]:
    """The page's translation function for ``language`` (English where none)."""
    table = TRANSLATIONS.get(language, {})
    return lambda text: table.get(text, text)
