"""Every Chinese UI text in the templates and page code has an English translation in the catalogue."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from massline.web.pages import cases, forms, rendering

PAGES = Path(rendering.__file__).parent
CATALOGUE = rendering.LOCALE_DIR / "en" / "LC_MESSAGES" / "massline.po"


def _translated() -> dict[str, str]:
    with CATALOGUE.open("rb") as f:
        return {str(m.id): str(m.string) for m in read_po(f) if m.id and m.string}


def test_when_a_template_or_page_shows_text_then_it_has_an_english_translation() -> None:
    translated = _translated()
    found: set[str] = set()
    for folder, method in ((rendering.TEMPLATES_DIR, "jinja2"), (PAGES, "python")):
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(folder), method_map=[("**.html" if method == "jinja2" else "**.py", method)],
            options_map={"**.html": {"extensions": "jinja2.ext.i18n"}}, keywords={"_": None, "gettext": None},
        ):
            found.add(message if isinstance(message, str) else message[0])
    dynamic = {*forms.MESSAGES.values(), *forms.FIELD_LABELS.values(), *cases.STATUS_NAMES.values(),
               *rendering.ROLE_NAMES.values(), *rendering.ACTION_NAMES.values()}
    missing = sorted(m for m in found | dynamic if m not in translated)
    assert not missing, f"add English translations to {CATALOGUE}: {missing}"
