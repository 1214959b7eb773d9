"""Every string the front ends show has an Indonesian translation, and the catalog is sound."""

from __future__ import annotations

import re

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from pasar.web.i18n import catalog_path, negotiate
from pasar.web.templating import TEMPLATES

WEB = TEMPLATES.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def source_strings() -> set[str]:
    """What templates (trimmed, as rendered) and Python (`N_`) mark for translation;
    for plurals, the singular."""
    found: set[str] = set()
    templates = extract_from_dir(
        str(TEMPLATES),
        method_map=[("**.html", "jinja2.ext:babel_extract")],
        options_map={"**.html": {"trimmed": "true"}},
    )
    python = extract_from_dir(str(WEB), method_map=[("**.py", "python")], keywords={"N_": None})
    for _, _, message, _, _ in (*templates, *python):
        found.add(message if isinstance(message, str) else str(message[0]))
    return found


def indonesian() -> dict[str, str]:
    with catalog_path("id").open("rb") as po:
        catalog = read_po(po, locale="id")
    found: dict[str, str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        value = message.string if isinstance(message.string, str) else message.string[0]
        if value:
            found[str(key)] = str(value)
    return found


def test_every_page_string_has_an_indonesian_translation() -> None:
    """Add a string to a template and forget the catalog: this fails and names it."""
    strings = source_strings()
    assert len(strings) > 100
    missing = sorted(strings - set(indonesian()))
    assert missing == [], f"no Indonesian translation for: {missing}"


def test_translations_keep_their_placeholders() -> None:
    """A translation that drops or renames %(seller)s would crash or mislead a page."""
    broken = [
        source
        for source, target in indonesian().items()
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target))
    ]
    assert broken == []


def test_the_catalog_has_no_stale_entries() -> None:
    """Strings no page uses any more are removed, so the catalog stays reviewable."""
    assert sorted(set(indonesian()) - source_strings()) == []


def test_the_language_is_the_cookie_then_accept_language_then_english() -> None:
    """A choice made in the footer wins; browsers' preferences come next, by weight."""
    assert negotiate("id", "en-US,en;q=0.9") == "id"
    assert negotiate(None, "en;q=0.4, id;q=0.8") == "id"
    assert negotiate(None, "id-ID") == "id"
    assert negotiate("xx", "fr, de;q=0.5") == "en"
    assert negotiate(None, None) == "en"
    assert negotiate(None, "id;q=bogus, en") == "en"
