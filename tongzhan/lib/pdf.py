"""PDF from HTML with WeasyPrint, with a CJK font that is known to be there.

Without a font that covers Chinese, WeasyPrint prints every character as an
empty box and says nothing. So the font is found first — the setting (or
environment variable) TONGZHAN_CJK_FONT, else fontconfig's list of fonts that
cover Chinese, preferring WenQuanYi Micro Hei (fonts-wqy-microhei) — and its
absence is an error, never a silent fallback. The font is loaded by
@font-face under its own family name, so the PDF names it (pdffonts shows
WenQuanYiMicroHei, embedded).

Resources are fetched only from the local files the caller allows (the font,
MEDIA_ROOT for photos): a record's text can never make the renderer reach the
network or read other files.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFERRED = ("wqy-microhei", "wqy-zenhei", "notosanscjk", "noto-cjk")
# WeasyPrint logs seven INFO lines per document ("Step 1 - Fetching…"): noise in a server log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class CJKFontMissing(ImproperlyConfigured):
    """No font covering Chinese is installed (or the configured one is missing)."""


@dataclass(frozen=True)
class CJKFont:
    path: Path
    family: str


def cjk_font() -> CJKFont:
    """The CJK font to embed; raises CJKFontMissing when there is none."""
    configured = getattr(settings, "TONGZHAN_CJK_FONT", "") or os.environ.get(
        "TONGZHAN_CJK_FONT", ""
    )
    return _find_font(configured)


@functools.cache
def _find_font(configured: str) -> CJKFont:
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise CJKFontMissing(f"TONGZHAN_CJK_FONT 指向的字体文件不存在：{configured}")
        family = _fc(["fc-query", "-f", "%{family[0]}\n", str(path)]).split("\n")[0]
        return CJKFont(path, family.strip() or path.stem)
    listed = _fc(["fc-list", ":lang=zh", "-f", "%{file}|%{family[0]}|%{index}\n"])
    fonts = [line.split("|") for line in listed.splitlines() if line.count("|") == 2]
    fonts = [(Path(file), family) for file, family, index in fonts if index == "0"]
    if not fonts:
        raise CJKFontMissing(
            "未找到可显示中文的字体，无法生成 PDF。请安装 fonts-wqy-microhei，"
            "或用 TONGZHAN_CJK_FONT 指定字体文件。"
        )
    fonts.sort(key=lambda f: (_rank(f[0]), str(f[0])))
    return CJKFont(*fonts[0])


def _rank(path: Path) -> int:
    name = path.name.lower().replace("_", "-")
    return next((i for i, p in enumerate(PREFERRED) if p in name), len(PREFERRED))


def _fc(command: list[str]) -> str:
    executable = shutil.which(command[0])
    if executable is None:
        raise CJKFontMissing(f"未找到 {command[0]}（fontconfig），无法查找中文字体。")
    result = subprocess.run(  # noqa: S603 (a fixed fontconfig command, no shell)
        [executable, *command[1:]], capture_output=True, text=True, timeout=20, check=False
    )
    return result.stdout


def font_face_css(font: CJKFont) -> str:
    family = font.family.replace('"', "")
    return f'@font-face {{ font-family: "{family}"; src: url("{font.path.resolve().as_uri()}"); }}'


def render_pdf(html: str, *, allowed_dirs: Iterable[str | Path] = ()) -> bytes:
    """Render HTML (a whole document) to PDF bytes, with the CJK font and only the
    local files under `allowed_dirs` reachable."""
    from weasyprint import HTML  # imported here: it takes a second and a half to load

    font = cjk_font()
    fetcher = _local_fetcher_class()([font.path, *allowed_dirs])
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


@functools.cache
def _local_fetcher_class():
    from weasyprint.urls import URLFetcher

    class LocalFetcher(URLFetcher):
        """Fetches file: and data: URLs only, and file: only under the allowed paths."""

        def __init__(self, allowed: Iterable[str | Path]):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
            self.allowed = [Path(p).resolve() for p in allowed]

        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if not any(path == root or path.is_relative_to(root) for root in self.allowed):
                    raise ValueError(f"not an allowed local file: {path.name}")
            return super().fetch(url, headers)

    return LocalFetcher
