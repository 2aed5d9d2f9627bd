"""The Web Administration's texts: one catalogue per language (server/ui/spa/messages.*.js),
the same keys in each, every key the SPA asks for in both, and a text for every error
code the API can answer (docs/errors.md is the list)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from server.ui.web_admin import APP_FOLDER

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("de", "en")
# Keys built from an API value: the prefix and the values the schema or the server has.
BUILT = {
    "action.": ["PASSWORD", "VOICEMAIL_PIN", "RELATIONSHIPS", "CLIENT_SETTINGS",
                "PRESENCE_SETTINGS", "CONTACT_LIST"],
    "status.": ["SUCCEEDED", "PARTIAL", "FAILED"],
    "logAction.": [],  # the list LOGGED of audit.js, read below
    "would.": ["SUCCEEDED", "PARTIAL", "FAILED"],
    "pin.": ["NOT_SET", "SET", "PENDING_DELIVERY"],
    "source.": ["LOCATION", "CONFIGURATION_GROUP", "TEAM", "USER"],
    "relationshipPolicy.": ["EXTEND_AND_RESTRICT", "EXTEND_ONLY"],
    "level.": ["BLOCKED", "UNKNOWN", "EXTERNAL", "FORWARDING_PARTICIPANT", "FORWARDER",
               "EMPLOYEE", "TEAM_COLLEAGUE", "ASSISTANT", "ASSISTANT_PLUS"],
}  # fmt: skip


def catalogue(language: str) -> dict[str, str]:
    text = (APP_FOLDER / f"messages.{language}.js").read_text(encoding="utf-8")
    found = re.search(r"^export default (\{.*\});\s*$", text, re.MULTILINE | re.DOTALL)
    assert found is not None, "a catalogue is `export default {JSON};`"
    loaded: dict[str, str] = json.loads(found.group(1))
    return loaded


def error_codes() -> set[str]:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([A-Z_]+)` \|", text, re.MULTILINE))


def test_both_catalogues_have_the_same_keys() -> None:
    de, en = (set(catalogue(language)) for language in LANGUAGES)
    assert sorted(de - en) == []
    assert sorted(en - de) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_error_code_has_a_text(language: str) -> None:
    texts = catalogue(language)
    assert len(error_codes()) > 80
    assert sorted(code for code in error_codes() if f"error.{code}" not in texts) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_the_spa_asks_for_is_there(language: str) -> None:
    texts = catalogue(language)
    asked: set[str] = set()
    for path in APP_FOLDER.glob("*.js"):
        source = path.read_text(encoding="utf-8")
        asked |= set(re.findall(r"\bt\(\s*\"([a-zA-Z.]+)\"", source))
        asked |= set(
            re.findall(
                r"\"((?:common|signin|users|user|reset|result|undo|system"
                r"|gateway|settings|nav|who|log)\.[a-zA-Z]+)\"",
                source,
            )
        )
    for prefix, values in BUILT.items():
        asked |= {prefix + value for value in values}
    logged = re.search(r"LOGGED = \[(.*?)\];", (APP_FOLDER / "audit.js").read_text(), re.DOTALL)
    assert logged is not None
    asked |= {f"logAction.{a}" for a in re.findall(r'"([A-Z_]+)"', logged.group(1))}
    asked |= {f"log.{a}" for a in re.findall(r'"([A-Z_]+)"', logged.group(1))}
    assert sorted(key for key in asked if key not in texts) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_messages_are_balanced_icu(language: str) -> None:
    for key, text in catalogue(language).items():
        depth = 0
        for char in text:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, key
        assert depth == 0, key


def test_the_german_texts_are_german() -> None:
    de, en = catalogue("de"), catalogue("en")
    assert de["nav.users"] == "Benutzerverwaltung"
    plain = re.compile("[{}A-Za-z ,:.#\u203a\u2013]*")  # names, placeholders, separators
    same = [k for k in en if en[k] == de[k] and not plain.fullmatch(en[k])]
    assert len(same) < 15, same
