"""The Spanish catalogue is complete, and the pages follow the chosen language."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PO_FILE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
KEYWORD = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$")


def _po_entries(path: Path) -> list[dict]:
    """A minimal .po reader: each entry's flags and its msgid/msgstr fields, unquoted."""
    entries: list[dict] = []
    entry: dict = {"flags": set(), "fields": {}}
    field = None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry["fields"]:
                entries.append(entry)
            entry, field = {"flags": set(), "fields": {}}, None
        elif line.startswith("#~"):
            continue  # obsolete entries are not used
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := KEYWORD.match(line):
            field = match.group(1)
            entry["fields"][field] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and field:
            entry["fields"][field] += ast.literal_eval(line)
        else:
            raise AssertionError(f"unreadable line in {path.name}: {raw!r}")
    return entries


def test_spanish_catalogue_has_no_untranslated_or_fuzzy_entry():
    entries = _po_entries(PO_FILE)
    messages = [entry for entry in entries if entry["fields"].get("msgid")]

    assert len(messages) > 100
    fuzzy = [entry["fields"]["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    untranslated = [
        entry["fields"]["msgid"]
        for entry in messages
        if any(not value for key, value in entry["fields"].items() if key.startswith("msgstr"))
    ]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not untranslated, f"untranslated entries: {untranslated}"


def test_spanish_catalogue_keeps_placeholders_and_two_plural_forms():
    entries = _po_entries(PO_FILE)
    header = next(entry for entry in entries if entry["fields"].get("msgid") == "")
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["fields"]["msgstr"]
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for entry in entries:
        fields = entry["fields"]
        if not fields.get("msgid"):
            continue
        expected = sorted(placeholder.findall(fields.get("msgid_plural", fields["msgid"])))
        for key, value in fields.items():
            if key.startswith("msgstr"):
                assert sorted(placeholder.findall(value)) == expected, (fields["msgid"], value)


def test_home_page_is_in_spanish_by_default(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Portal de Compras Públicas" in content
    assert "Ingresar" in content
    assert "Public Procurement Portal" not in content


def test_home_page_follows_the_language_switch_to_english(client):
    switched = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert switched.status_code == 302

    response = client.get(reverse("home"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Public Procurement Portal" in content
    assert "Sign in" in content
    assert "Portal de Compras Públicas" not in content


def test_english_cookie_gives_english_page(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    content = client.get(reverse("home")).content.decode()

    assert "Public Procurement Portal" in content
    assert "Sign in" in content
