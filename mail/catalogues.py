"""The mails' message catalogues: one gettext ``.po`` file per language, in
``locales/<language>/LC_MESSAGES/mails.po``.

The ``.po`` files are the only form kept (in the repository and the wheel); each is
compiled in memory with Babel the first time its language is needed, so there is no
build step and no ``.mo`` file to forget. A language is added by adding its
catalogue: ``LANGUAGES`` is what is there.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

DOMAIN = "mails"


@cache
def languages() -> tuple[str, ...]:
    """The languages with a catalogue, sorted."""
    root = resources.files("mail") / "locales"
    return tuple(
        sorted(
            entry.name
            for entry in root.iterdir()
            if (entry / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()
        )
    )


@cache
def translations(language: str) -> Translations:
    """The catalogue of ``language``, compiled; KeyError when there is none."""
    if language not in languages():
        raise KeyError(language)
    source = resources.files("mail") / "locales" / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with source.open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)
