"""The `tongzhan` console script: Django's manage.py under the project's name."""

import json
import os
import secrets
import sys
from pathlib import Path


def make_keys(path: Path) -> None:
    """Create the key file once (before Django can start, which needs it). Never overwrites:
    a new field key would make every encrypted value unreadable."""
    if path.exists():
        print(f"key file exists: {path}")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = {
        "secret_key": secrets.token_urlsafe(50),
        "field_key": secrets.token_hex(16),
        "audit_key": secrets.token_hex(32),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(keys, handle)
    print(f"created key file {path} (keep it out of backups of the database)")


def main() -> None:
    if sys.argv[1:2] == ["makekeys"]:
        from tongzhan.settings_paths import key_file_path

        make_keys(key_file_path())
        return
    # Commands are spelt with hyphens (`tongzhan verify-audit`); their modules cannot be.
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        sys.argv[1] = sys.argv[1].replace("-", "_")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzhan.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
