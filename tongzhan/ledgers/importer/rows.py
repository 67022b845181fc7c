"""Checking one ledger row: ok, warning or error, each problem with its column and reason.

Rules (documented in the import page's help):
- What identifies the person — 姓名, 身份证号, 性别, 出生年月, 所属区域, 类别 — is an
  error when wrong: the row is not imported.
- Descriptive fields — 民族, 政治面貌, 学历, 宗教, 联系电话, 统一社会信用代码, other
  dates — are a warning when they cannot be read: the row is imported without that
  value.
- Subtotal rows (合计/小计/总计), the footer (填表人…审核人…), notes (注：…) and a
  header repeated on a later page are skipped and reported as skipped.
- 工作单位及职务 in one column is split at the last space or slash ("清溪镇中心小学 教师");
  without one it is kept whole as the work unit and the post is left blank: guessing
  where a unit's name ends would be wrong as often as right.
"""

import json
import re
from dataclasses import dataclass, field, fields
from datetime import date

from django.utils.translation import gettext as _

from tongzhan.accounts.roles import VIEW_SENSITIVE
from tongzhan.core.choices import Category, Gender
from tongzhan.lib import crypto, idcard, masking, uscc
from tongzhan.people.models import Person

from . import names, values
from .columns import Layout, label, match_header
from .regions import RegionResolver
from .values import Problem

ERROR, WARNING, OK, SKIPPED = "error", "warning", "ok", "skipped"
JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_SUBTOTAL_RE = re.compile(r"^(合\s*计|小\s*计|总\s*计|共\s*计|累\s*计)")
_FOOTER_RE = re.compile(
    r"^(填表人|填报人|制表人|审核人|审批人|负责人|统计人|填表时间|制表时间|填报日期"
    r"|导出人|导出时间|打印人|打印时间)"
)
_NOTE_RE = re.compile(r"^(注|说明|备注|附注)\s*[:：0-9一二三、.]")
_SPACE_NEXT_TO_HAN_RE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_UNIT_POST_SPLIT_RE = re.compile(r"^(.+?)\s*(?:[/／|]|\s)\s*([^/／|\s]+)$")
# Text fields taken as they are (cleaned), with the model's length limit.
TEXT_FIELDS = (
    "former_name",
    "native_place",
    "birthplace",
    "health",
    "degree",
    "fulltime_education",
    "fulltime_school",
    "inservice_education",
    "inservice_school",
    "professional_title",
    "work_unit",
    "post",
    "specialty",
    "social_posts",
    "address",
    "email",
)
MAX_LENGTH = {f.name: f.max_length for f in Person._meta.fields if getattr(f, "max_length", None)}
DATE_FIELDS = ("party_join_date", "work_start")
ENCRYPTED_FIELDS = (
    "id_number_encrypted",
    "id_number_index",
    "id_number_masked",
    "phone_encrypted",
    "phone_index",
    "phone_masked",
)


@dataclass
class RowResult:
    """What checking one row found, and the values to write if it is imported."""

    line: int
    state: str = OK
    issues: list[list[str]] = field(default_factory=list)  # [level, column, message]
    data: dict = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    duplicate: bool = False
    matches: list[dict] = field(default_factory=list)
    # Keys the duplicate checks compare.
    id_index: str = ""
    name_key: str = ""
    pinyin: frozenset[str] = frozenset()
    birth: date | None = None
    month_only: bool = False  # the ledger gave 出生年月 without the day
    # `summary` and `data` as stored (JSON), encoded where the row was checked: in a
    # checking process when the ledger is large (validate.checked_chunks). The duplicate
    # checks change neither; a row they turn into an error is stored without its data.
    summary_json: str = ""
    data_json: str = ""

    @property
    def importable(self) -> bool:
        """Checked without an error and not skipped: the row has values to write."""
        return self.state in (OK, WARNING)

    def encode(self) -> None:
        """Replace `summary` and `data` by their stored JSON. A result then travels back
        from a checking process as a few strings, not two dicts to pickle there and unpickle
        here (measured, 100,000 rows: the importing process's CPU 8.1 → 7.1 s)."""
        self.summary_json = JSON.encode(self.summary)
        self.data_json = JSON.encode(self.data)
        self.summary, self.data = {}, {}

    def __reduce__(self):
        # A result comes back from a checking process as its fields' values in order:
        # pickle's default (the instance's dict, loaded attribute by attribute) cost the
        # importing process 8.5 µs a row to load, this 3.2 (measured on 10,000 rows).
        return (RowResult, tuple([getattr(self, name) for name in _FIELDS]))

    def add(self, level: str, column: str, message: str) -> None:
        self.issues.append([level, column, message])
        if level == ERROR or (level == WARNING and self.state == OK):
            self.state = level
        if level == SKIPPED:
            self.state = SKIPPED


_FIELDS = tuple(f.name for f in fields(RowResult))


class RowChecker:
    """Checks rows of one ledger for one user (scope, field rights) and upload options."""

    def __init__(self, user, layout: Layout, options: dict, today: date | None = None):
        self.columns = layout.columns
        self.headers = layout.headers
        self.regions = RegionResolver(user)
        self.sensitive = user.has_job(VIEW_SENSITIVE)
        self.default_region = options.get("default_region") or ""
        self.default_categories = list(options.get("default_categories") or [])
        self.today = today or date.today()
        self.text_keys = [key for key in TEXT_FIELDS if key in self.columns]
        self.date_keys = [key for key in DATE_FIELDS if key in self.columns]

    def column(self, key: str) -> str:
        """The column as the file names it (what the user looks for), else our label."""
        index = self.columns.get(key)
        if index is not None and index < len(self.headers) and self.headers[index]:
            return self.headers[index]
        return label(key)

    # --- the row ----------------------------------------------------------------------------

    def check(self, line: int, row: list) -> RowResult | None:
        """The row's result; None for a blank row (not a data row at all)."""
        first = next((text for text in map(values.text, row) if text), None)
        if first is None:
            return None
        # Each mapped cell read as text once; a few parsers need the raw cell (a number
        # cell is how Excel loses ID digits; a date cell is a date).
        self._raw = {k: (row[i] if i < len(row) else "") for k, i in self.columns.items()}
        cells = {k: values.text(v) for k, v in self._raw.items()}
        result = RowResult(line)
        reason = self._skip_reason(first, cells.get("name", ""))
        if reason:
            result.summary = {"name": cells.get("name", "")[:50]}
            result.add(SKIPPED, "", reason)
            return result
        data = {"status": "active"}
        self._identity(result, cells, data)
        self._region_and_categories(result, cells, data)
        self._descriptive(result, cells, data)
        result.summary = self._summary(result, data)
        if result.state != ERROR:
            result.data = self._finish(result, data)
        return result

    def _skip_reason(self, first: str, name: str) -> str:
        if _SUBTOTAL_RE.match(name) or _SUBTOTAL_RE.match(first):
            return _("合计/小计行，不是人员")
        if _FOOTER_RE.match(first) or _FOOTER_RE.match(name):
            return _("表尾（填表人、审核人等），不是人员")
        if _NOTE_RE.match(first) and not (name and name != first):
            return _("说明行，不是人员")
        if name and match_header(name) == "name":
            return _("重复的表头行")
        return ""

    # --- identity: errors block the row ------------------------------------------------------

    def _identity(self, result: RowResult, cells: dict, data: dict) -> None:
        name = _SPACE_NEXT_TO_HAN_RE.sub("", cells.get("name", ""))
        if not name:
            result.add(ERROR, self.column("name"), _("姓名为空"))
        elif len(name) > MAX_LENGTH["name"]:
            result.add(ERROR, self.column("name"), _("姓名超过 50 字"))
        elif not any(c.isalpha() for c in name):  # Han characters are letters too
            result.add(ERROR, self.column("name"), _("“%(v)s”不像是姓名") % {"v": name})
        data["name"] = name
        checked = self._id_number(
            result, self._raw.get("id_number", ""), cells.get("id_number", "")
        )
        self._gender(result, cells.get("gender", ""), checked, data)
        self._birth(result, self._raw.get("birth_date", ""), checked, data)
        if checked:
            data["id_number"] = checked.number

    def _id_number(self, result: RowResult, raw, shown: str) -> idcard.IdNumber | None:
        # The raw cell goes in: a number cell (float) is how Excel loses the last digits.
        if not shown:
            return None
        if masking.is_masked(shown):
            # A masked 名册 (ours exports 330599********1234): the number is not there to
            # check or store, which is no reason to refuse the person.
            result.add(
                WARNING,
                self.column("id_number"),
                _("身份证号“%(v)s”是脱敏后的号码，无法导入，该项未导入；需要时请使用未脱敏的名册")
                % {"v": shown.replace(" ", "")},
            )
            return None
        try:
            checked = idcard.validate(raw, accept_15=True, today=self.today)
        except idcard.IdNumberError as exc:
            result.add(ERROR, self.column("id_number"), str(exc))
            return None
        if len(shown.replace(" ", "")) == 15:
            result.add(
                WARNING, self.column("id_number"), _("15 位旧身份证号，已按规则转换为 18 位")
            )
        return checked

    def _gender(self, result, raw, checked, data) -> None:
        shown = values.text(raw)
        if not shown:
            if checked:
                data["gender"] = checked.gender
            else:
                data["gender"] = str(Gender.UNKNOWN)
                result.add(WARNING, self.column("gender"), _("性别未填写，记为“未知的性别”"))
            return
        try:
            gender = values.parse_gender(shown)
        except Problem as problem:
            result.add(ERROR, self.column("gender"), str(problem))
            return
        if checked and gender != checked.gender:
            result.add(
                ERROR,
                self.column("gender"),
                _("性别“%(v)s”与身份证号不符（身份证号第 17 位表示%(id)s）")
                % {"v": shown, "id": Gender(checked.gender).label},
            )
        data["gender"] = gender

    def _birth(self, result, raw, checked, data) -> None:
        if values.text(raw) == "":
            data["birth_date"] = checked.birth_date if checked else None
            return
        try:
            parsed, month_only, note = values.parse_date(raw, today=self.today)
        except Problem as problem:
            result.add(ERROR, self.column("birth_date"), str(problem))
            return
        if checked:
            self._cross_check_birth(result, parsed, month_only, note, checked.birth_date)
            data["birth_date"] = checked.birth_date
            return
        if note:
            result.add(WARNING, self.column("birth_date"), note)
        data["birth_date"] = parsed
        result.month_only = month_only

    def _cross_check_birth(self, result, parsed, month_only, note, from_id: date) -> None:
        if note:  # 1975.1 in a number cell: January or October, the ID decides
            agrees = parsed.year == from_id.year and from_id.month in (1, 10)
        elif month_only:
            agrees = (parsed.year, parsed.month) == (from_id.year, from_id.month)
        else:
            agrees = parsed == from_id
        if not agrees:
            shown = f"{parsed:%Y-%m}" if month_only else parsed.isoformat()
            result.add(
                ERROR,
                self.column("birth_date"),
                _("出生日期 %(v)s 与身份证号中的 %(id)s 不符")
                % {"v": shown, "id": from_id.isoformat()},
            )

    # --- where the person belongs --------------------------------------------------------------

    def _region_and_categories(self, result, cells, data) -> None:
        categories = self._categories(result, cells.get("categories", ""))
        code = self._region(result, cells)
        if code and categories is not None:
            try:
                self.regions.check_scope(code, categories)
            except Problem as problem:
                result.add(ERROR, self.column("region"), str(problem))
        data["region_id"] = code
        data["categories"] = categories or []

    def _categories(self, result, shown: str) -> list[str] | None:
        if not shown:
            if self.default_categories:
                return sorted(self.default_categories)
            result.add(ERROR, self.column("categories"), _("类别为空（可在上传时选择默认类别）"))
            return None
        try:
            return values.parse_categories(shown)
        except Problem as problem:
            result.add(ERROR, self.column("categories"), str(problem))
            return None

    def _region(self, result, cells) -> str:
        code_text = cells.get("region_code", "")
        text, township = cells.get("region", ""), cells.get("township", "")
        column = self.column("region_code" if code_text else "region")
        try:
            if code_text:
                return self.regions.resolve(code_text)
            if text or township:
                return self.regions.resolve(text, township)
        except Problem as problem:
            result.add(ERROR, column, str(problem))
            return ""
        if self.default_region:
            return self.default_region
        result.add(ERROR, column, _("所属区域为空（可在上传时选择默认区域）"))
        return ""

    # --- descriptive fields: warnings, the value is left out ------------------------------------

    def _descriptive(self, result, cells, data) -> None:
        # Only the columns the file has: an absent one leaves the model's default.
        for key in self.text_keys:
            self._text(result, cells, data, key)
        if "work_unit_post" in cells:
            self._work_unit_post(result, cells, data)
        if self.sensitive:
            self._sensitive(result, cells, data)
        if "education" in cells:
            self._choice(result, cells, data, "education", "education")
        for key in self.date_keys:
            self._date(result, cells, data, key)
        self._phone(result, cells, data)
        if "enterprise" in cells or "uscc" in cells:
            self._enterprise(result, cells, data)
        data["notes"] = cells.get("notes", "")

    def _text(self, result, cells, data, key) -> None:
        value = cells.get(key, "")
        if len(value) > MAX_LENGTH.get(key, 10**6):
            result.add(ERROR, self.column(key), _("超过 %(n)d 字") % {"n": MAX_LENGTH[key]})
        data[key] = value

    def _work_unit_post(self, result, cells, data) -> None:
        combined = cells.get("work_unit_post", "")
        if not combined or data.get("work_unit") or data.get("post"):
            return
        split = _UNIT_POST_SPLIT_RE.match(combined)
        unit, post = split.groups() if split else (combined, "")
        for key, value in (("work_unit", unit), ("post", post)):
            if len(value) > MAX_LENGTH[key]:
                result.add(
                    ERROR,
                    self.column("work_unit_post"),
                    _("超过 %(n)d 字") % {"n": MAX_LENGTH[key]},
                )
            data[key] = value

    def _sensitive(self, result, cells, data) -> None:
        self._choice(result, cells, data, "ethnicity", "ethnicity")
        self._choice(
            result, cells, data, "religion", "religion", blank={"无", "不信教", "无宗教信仰"}
        )
        shown = cells.get("political_status", "")
        data["political_status"], data["second_party"] = "", ""
        if shown:
            try:
                data["political_status"], data["second_party"] = values.parse_political(shown)
            except Problem as problem:
                result.add(problem.level, self.column("political_status"), str(problem))

    def _choice(self, result, cells, data, key, table, blank=frozenset()) -> None:
        shown = cells.get(key, "")
        data[key] = ""
        if shown and shown not in blank:
            try:
                data[key] = values.parse_choice(table, shown)
            except Problem as problem:
                result.add(problem.level, self.column(key), str(problem))

    def _date(self, result, cells, data, key) -> None:
        raw = self._raw.get(key, "")
        data[key] = None
        if values.text(raw):
            try:
                data[key], _month_only, note = values.parse_date(raw, today=self.today)
            except Problem as problem:
                result.add(WARNING, self.column(key), str(problem) + _("，该项未导入"))
            else:
                if note:
                    result.add(WARNING, self.column(key), note)

    def _phone(self, result, cells, data) -> None:
        key = "phone" if cells.get("phone", "") else "phone_alt"
        data["phone"] = ""
        if cells.get(key, ""):
            try:
                data["phone"], note = values.parse_phone(self._raw[key])
            except Problem as problem:
                result.add(problem.level, self.column(key), str(problem))
            else:
                if note:
                    result.add(WARNING, self.column(key), note)

    def _enterprise(self, result, cells, data) -> None:
        enterprise = cells.get("enterprise", "")
        code = cells.get("uscc", "")
        if code:
            try:
                code = uscc.validate(code).code
            except uscc.UsccError as exc:
                result.add(WARNING, self.column("uscc"), str(exc) + _("，该项未导入"))
                code = ""
        if len(enterprise) > 100:
            result.add(ERROR, self.column("enterprise"), _("超过 %(n)d 字") % {"n": 100})
        data["non_public"] = (
            {"enterprise": enterprise, "uscc": code} if enterprise or code else None
        )

    # --- what is stored --------------------------------------------------------------------------

    def _summary(self, result, data) -> dict:
        number = data.get("id_number", "")
        birth = data.get("birth_date")
        return {
            "name": data.get("name", "")[:50],
            "id": masking.mask_id_number(number) if number else "",
            "region": self.regions.name_of(data["region_id"]) if data.get("region_id") else "",
            "birth": birth.isoformat() if birth else "",
        }

    def _finish(self, result: RowResult, data: dict) -> dict:
        """The values to write: dates as text, ID and phone only encrypted and masked, and
        the keys the search and duplicate checks use. What the Person setters do, for a
        number already checked: the blind index is of the normalised number, as
        people.search reads the search box (a test holds the two equal)."""
        keys = names.name_keys(data["name"])
        result.name_key, result.pinyin = keys.simplified, keys.pinyin_full
        result.birth = data["birth_date"]
        number, phone = data.pop("id_number", ""), data.pop("phone", "")
        result.id_index = crypto.blind_index(number) if number else ""
        data.update(
            id_number_encrypted=crypto.encrypt(number),
            id_number_index=result.id_index,
            id_number_masked=masking.mask_id_number(number),
            phone_encrypted=crypto.encrypt(phone),
            phone_index=crypto.blind_index(phone.replace("-", "")) if phone else "",
            phone_masked=masking.mask_phone(phone),
            name_key=keys.simplified,
            name_pinyin=names.sort_key(data["name"]),
            search_p=sorted(keys.pinyin_full),
            search_i=sorted(keys.initials),
        )
        if "05" in data["categories"] and data.get("religion"):
            data["religious"] = {"religion": data["religion"]}
        for key in ("birth_date", *DATE_FIELDS):
            if data.get(key):
                data[key] = data[key].isoformat()
        # Empty values are the model's defaults: leaving them out keeps the stored rows small.
        return {key: value for key, value in data.items() if value not in ("", None)}


def category_label(code: str) -> str:
    return str(Category(code).label)
