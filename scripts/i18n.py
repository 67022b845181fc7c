"""Refresh the translation catalogs.

The UI's msgids are Simplified Chinese (the users' script). This script:
1. runs `makemessages` for zh_Hant and en;
2. fills every zh_Hant entry by OpenCC's `s2t` conversion (never `s2twp`, which
   rewrites vocabulary: 对象 would become 物件), then applies OVERRIDES;
3. reports English entries that still need a translator, and exits 1 with
   `--check` when any are missing (used by the test suite).

Run: .venv/bin/python scripts/i18n.py [--check]
"""

import subprocess
import sys
from pathlib import Path

import opencc
import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "tongzhan" / "locale"
IGNORE = [".venv", ".tools", "node_modules", "var", "tests", "*/tests/*", "scripts", "bench"]

# s2t output -> the form readers expect, applied after conversion. Only where s2t is
# clearly wrong: s2t writes old variant characters that neither Taiwan nor Hong Kong
# uses today (爲 for 為, 僞 for 偽, 羣衆 for 群眾, 覈對 for 核對). Characters only, no
# vocabulary: that would be s2twp's mistake again.
OVERRIDES = {"爲": "為", "僞": "偽", "衆": "眾", "羣": "群", "覈": "核"}


def make_messages() -> None:
    args = [
        str(ROOT / ".venv/bin/tongzhan"),
        "makemessages",
        "-l",
        "zh_Hant",
        "-l",
        "en",
        "--no-location",
        "--no-obsolete",
    ]
    for pattern in IGNORE:
        args += ["--ignore", pattern]
    subprocess.run(args, check=True, cwd=ROOT / "tongzhan")


def to_traditional(converter: opencc.OpenCC, text: str) -> str:
    converted = converter.convert(text)
    for wrong, right in OVERRIDES.items():
        converted = converted.replace(wrong, right)
    return converted


def fix_header(catalog: polib.POFile, language: str) -> None:
    """makemessages leaves a fuzzy template header; msgmerge keeps whatever we set once."""
    catalog.header = (
        f"tongzhan UI catalog: {language}. Refreshed by scripts/i18n.py; see docs/i18n.md."
    )
    catalog.metadata["Language"] = language
    catalog.metadata["Project-Id-Version"] = "tongzhan"
    catalog.metadata_is_fuzzy = []


def fill_traditional() -> int:
    converter = opencc.OpenCC("s2t")
    catalog = polib.pofile(str(LOCALE / "zh_Hant/LC_MESSAGES/django.po"))
    fix_header(catalog, "zh_Hant")
    for entry in catalog:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: to_traditional(converter, entry.msgid)}
        else:
            entry.msgstr = to_traditional(converter, entry.msgid)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.save()
    return len(catalog)


def untranslated_english() -> list[str]:
    catalog = polib.pofile(str(LOCALE / "en/LC_MESSAGES/django.po"))
    if catalog.metadata_is_fuzzy or catalog.metadata.get("Language") != "en":  # a new catalog
        fix_header(catalog, "en")
        catalog.save()
    return [e.msgid for e in catalog if not e.translated() or "fuzzy" in e.flags]


def main() -> int:
    make_messages()
    count = fill_traditional()
    missing = untranslated_english()
    print(f"zh_Hant: {count} entries converted with OpenCC s2t")
    print(f"en: {len(missing)} entries need a translation")
    for msgid in missing:
        print(f"  {msgid!r}")
    return 1 if missing and "--check" in sys.argv else 0


if __name__ == "__main__":
    sys.exit(main())
