"""Reading a region list (CSV) into rows, reporting every malformed line.

Columns: code, name[, urban_rural][, year]. A header row is optional (English or
Chinese names, any order). Files come as UTF-8 (with or without BOM) or as GBK
from government Excel exports; Excel's "Unicode text" (UTF-16, tab-separated)
is accepted too. Checks that need the database (parents, years) are in services.
"""

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from tongzhan.lib import divisioncode
from tongzhan.lib.text import format_list

from .choices import UrbanRural

COLUMNS = ("code", "name", "urban_rural", "year")
POSITIONAL = {name: index for index, name in enumerate(COLUMNS)}
HEADER_NAMES = {
    "code": {"code", "区划代码", "统计用区划代码", "代码"},
    "name": {"name", "名称", "区划名称", "单位名称"},
    "urban_rural": {"urban_rural", "城乡分类", "城乡分类代码"},
    "year": {"year", "年度", "有效年度"},
}
MAX_NAME = 100
YEAR_RANGE = (1949, 2100)
SCIENTIFIC_RE = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


class RegionFileError(ValueError):
    """The file as a whole cannot be read (encoding, no data)."""


@dataclass(frozen=True)
class RegionRow:
    """One well-formed line of a region file."""

    line: int
    code: str
    name: str
    urban_rural: str = ""
    year: int | None = None

    def to_json(self) -> list:
        return [self.line, self.code, self.name, self.urban_rural, self.year]

    @classmethod
    def from_json(cls, data: list) -> "RegionRow":
        line, code, name, urban_rural, year = data
        return cls(int(line), str(code), str(name), str(urban_rural or ""), year)


@dataclass
class ParsedFile:
    """The well-formed rows, the line errors, and every code the file mentions."""

    rows: list[RegionRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    # Codes on malformed lines count as "in the file" so their children are not also
    # reported for a missing parent.
    codes: set[str] = field(default_factory=set)

    @classmethod
    def of_rows(cls, rows: list[RegionRow]) -> "ParsedFile":
        return cls(rows=list(rows), codes={r.code for r in rows})


def line_error(line: int, reason: str) -> str:
    return _("第 %(line)d 行：%(reason)s") % {"line": line, "reason": reason}


def decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        # GB 18030 is a superset of GBK and GB 2312, so it reads all three.
        encodings = ["utf-8-sig", "gb18030"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RegionFileError(_("无法识别文件编码：请保存为 UTF-8 或 GBK 编码的 CSV 文件。"))


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return "\t" if "\t" in first and "," not in first else ","


def _header_columns(cells: list[str]) -> dict[str, int] | None:
    """Column positions when the row is a header, else None."""
    names = [c.replace(" ", "").lower() for c in cells]
    found = {}
    for column, known in HEADER_NAMES.items():
        for index, name in enumerate(names):
            if name in known:
                found[column] = index
    return found or None


def read_region_csv(data: bytes) -> ParsedFile:
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    parsed = ParsedFile()
    columns: dict[str, int] | None = None
    first_line: dict[str, int] = {}
    for number, raw in enumerate(reader, 1):
        cells = [c.strip() for c in raw]
        if not any(cells):
            continue
        if columns is None:
            columns = _header_columns(cells)
            if columns is not None:
                if "code" not in columns or "name" not in columns:
                    parsed.errors.append((number, _("表头须包含“区划代码”和“名称”两列")))
                    return parsed
                continue
            columns = POSITIONAL
        _read_line(parsed, number, cells, columns, first_line)
    if not parsed.rows and not parsed.errors:
        raise RegionFileError(_("文件中没有数据行。"))
    return parsed


def _read_line(parsed, number, cells, columns, first_line) -> None:
    values = {name: cells[i] if i < len(cells) else "" for name, i in columns.items()}
    reasons = []
    # Without a header, extra cells mean the columns are not the ones we think they are.
    if columns is POSITIONAL and any(cells[len(COLUMNS) :]):
        reasons.append(_("列数过多（应为：区划代码,名称[,城乡分类][,年度]）"))
    code = values["code"]
    if code:
        parsed.codes.add(code)
    reasons += _code_reasons(code, first_line)
    reasons += _name_reasons(values["name"])
    urban_rural = values.get("urban_rural", "")
    if urban_rural and urban_rural not in UrbanRural.values:
        reasons.append(
            _("城乡分类代码 %(v)s 无效（应为 %(codes)s 之一）")
            % {"v": urban_rural, "codes": format_list(UrbanRural.values)}
        )
    year, year_reason = _year(values.get("year", ""))
    if year_reason:
        reasons.append(year_reason)
    if reasons:
        # Translators: between the reasons one line of the file is wrong.
        parsed.errors.append((number, _("；").join(reasons)))
    else:
        first_line[code] = number
        parsed.rows.append(RegionRow(number, code, values["name"], urban_rural, year))


def _code_reasons(code: str, first_line: dict[str, int]) -> list[str]:
    if not code:
        return [_("区划代码为空")]
    if SCIENTIFIC_RE.match(code):
        return [
            _("区划代码 %(code)s 被 Excel 转成了科学计数法：请把该列设为“文本”后重新导出")
            % {"code": code}
        ]
    try:
        divisioncode.validate(code)
    except divisioncode.DivisionCodeError as exc:
        return [str(exc)]
    if code in first_line:
        return [
            _("区划代码 %(code)s 与第 %(line)d 行重复") % {"code": code, "line": first_line[code]}
        ]
    return []


def _name_reasons(name: str) -> list[str]:
    if not name:
        return [_("名称为空")]
    if len(name) > MAX_NAME:
        return [_("名称超过 %(n)d 个字") % {"n": MAX_NAME}]
    return []


def _year(text: str) -> tuple[int | None, str]:
    if not text:
        return None, ""
    if not text.isdigit() or not YEAR_RANGE[0] <= int(text) <= YEAR_RANGE[1]:
        return None, _("年度 %(v)s 无效（应为四位年份）") % {"v": text}
    return int(text), ""
