"""Paths the settings and the CLI agree on, importable without configuring Django."""

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TONGZHAN_VAR_DIR", PROJECT_DIR / "var"))


def key_file_path() -> Path:
    return Path(os.environ.get("TONGZHAN_KEY_FILE", VAR_DIR / "tongzhan.keys"))
