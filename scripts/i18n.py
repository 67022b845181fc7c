"""Refresh the translation catalogs.

The UI's msgids are Simplified Chinese (the users' script). This script:
1. runs `makemessages` for zh_Hant and en;
2. fills every zh_Hant entry by OpenCC's `s2t` conversion (never `s2twp`, which
   rewrites vocabulary: 对象 would become 物件);
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


def make_messages() -> None:
    args = [str(ROOT / ".venv/bin/tongzhan"), "makemessages", "-l", "zh_Hant", "-l", "en",
            "--no-location", "--no-obsolete"]
    for pattern in IGNORE:
        args += ["--ignore", pattern]
    subprocess.run(args, check=True, cwd=ROOT / "tongzhan")


def fill_traditional() -> int:
    converter = opencc.OpenCC("s2t")
    catalog = polib.pofile(str(LOCALE / "zh_Hant/LC_MESSAGES/django.po"))
    for entry in catalog:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: converter.convert(entry.msgid)}
        else:
            entry.msgstr = converter.convert(entry.msgid)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.save()
    return len(catalog)


def untranslated_english() -> list[str]:
    catalog = polib.pofile(str(LOCALE / "en/LC_MESSAGES/django.po"))
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
