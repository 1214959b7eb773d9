"""Every string a buyer reads has an Indonesian translation, and the catalog is sound."""

from __future__ import annotations

import re

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from pasar.notifications.rendering import SUBJECTS, TEMPLATES, catalog_path

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def source_strings() -> set[str]:
    """What the templates mark for translation (trimmed, as the environment renders them)
    and the subjects."""
    found = {
        message
        for _, _, message, _, _ in extract_from_dir(
            str(TEMPLATES),
            method_map=[
                ("**.html", "jinja2.ext:babel_extract"),
                ("**.txt", "jinja2.ext:babel_extract"),
            ],
            options_map={"**.html": {"trimmed": "true"}, "**.txt": {"trimmed": "true"}},
        )
    }
    assert all(isinstance(m, str) for m in found), "plurals are not used in notifications"
    return {str(m) for m in found} | set(SUBJECTS.values())


def indonesian() -> dict[str, str]:
    with catalog_path("id").open("rb") as po:
        catalog = read_po(po, locale="id")
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def test_every_template_string_has_an_indonesian_translation() -> None:
    """Add a string to a template and forget the catalog: this fails and names it."""
    strings = source_strings()
    assert len(strings) > 50
    missing = sorted(strings - set(indonesian()))
    assert missing == [], f"no Indonesian translation for: {missing}"


def test_translations_keep_their_placeholders() -> None:
    """A translation that drops or renames %(number)s would crash or mislead at send time."""
    broken = [
        source
        for source, target in indonesian().items()
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target))
    ]
    assert broken == []


def test_the_catalog_has_no_stale_entries() -> None:
    """Strings no template uses any more are removed, so the catalog stays reviewable."""
    assert sorted(set(indonesian()) - source_strings()) == []
