"""Files kept outside the web root: person photos, contact-log attachments.

MEDIA_ROOT is served by no URL. A file is written under a random name in its own folder
and read back only through a view that applies the scope rule; a stored name that points
anywhere but that folder reads as missing.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings


class PrivateFolder:
    """One folder under MEDIA_ROOT (photos, contact …)."""

    def __init__(self, name: str):
        self.name = name

    def path(self) -> Path:
        return Path(settings.MEDIA_ROOT) / self.name

    def save(self, content: bytes, extension: str) -> str:
        """Write under a random name; return the name relative to MEDIA_ROOT."""
        directory = self.path()
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{secrets.token_hex(16)}.{extension}"
        # O_EXCL: never overwrite; 0600: only the service account reads these files.
        fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        return f"{self.name}/{name}"

    def path_of(self, name: str) -> Path | None:
        """The file of a stored name, or None: missing, or a name that points elsewhere."""
        if not name:
            return None
        base = self.path().resolve()
        path = (Path(settings.MEDIA_ROOT) / name).resolve()
        if path.parent != base or not path.is_file():
            return None
        return path

    def delete(self, name: str) -> None:
        path = self.path_of(name)
        if path is not None:
            path.unlink(missing_ok=True)
