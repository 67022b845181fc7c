"""The columns a 花名册 has, under the names people give them, and finding the header.

Ledgers put a title ("XX镇统战对象花名册") and a "填报单位…填报时间" line above the
header, sometimes split the header over two merged rows (工作单位及职务 over 单位 | 职务),
and order the columns as they like. The header is the row (or pair of rows) among the
first ones whose cells name the most known columns.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from tongzhan.lib.chinese import clean

# field -> (label shown in previews and reports, header names as ledgers write them)
COLUMNS: dict[str, tuple] = {
    "seq": (_("序号"), ["序号", "编号", "序", "顺序号", "no", "no."]),
    "name": (_("姓名"), ["姓名", "名字", "人员姓名", "对象姓名", "统战对象姓名"]),
    "former_name": (_("曾用名"), ["曾用名"]),
    "gender": (_("性别"), ["性别"]),
    "id_number": (
        _("身份证号"),
        ["身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "身份证", "证件号码"],
    ),
    "birth_date": (_("出生年月"), ["出生年月", "出生日期", "出生年月日", "出生时间", "生日"]),
    "ethnicity": (_("民族"), ["民族"]),
    "native_place": (_("籍贯"), ["籍贯"]),
    "birthplace": (_("出生地"), ["出生地"]),
    "health": (_("健康状况"), ["健康状况"]),
    "political_status": (
        _("政治面貌"),
        ["政治面貌", "党派", "所属党派", "党派（政治面貌）", "政治面貌（党派）"],
    ),
    "party_join_date": (
        _("加入党派时间"),
        ["加入党派时间", "加入党派年月", "入党时间", "入党（派）时间", "加入时间"],
    ),
    "education": (_("学历"), ["学历", "文化程度", "最高学历", "学历（文化程度）"]),
    "degree": (_("学位"), ["学位"]),
    # 学历学位 split by kind, as the 登记表 and the 名册 export write it (学历学位 over
    # 全日制教育 | 在职教育), each taken as written.
    "fulltime_education": (
        _("全日制教育"),
        ["全日制教育", "全日制学历", "全日制学历学位", "全日制教育学历学位"],
    ),
    "fulltime_school": (
        _("全日制毕业院校及专业"),
        ["全日制毕业院校及专业", "全日制毕业院校系及专业", "全日制毕业院校"],
    ),
    "inservice_education": (
        _("在职教育"),
        ["在职教育", "在职学历", "在职学历学位", "在职教育学历学位"],
    ),
    "inservice_school": (
        _("在职毕业院校及专业"),
        ["在职毕业院校及专业", "在职毕业院校系及专业", "在职毕业院校"],
    ),
    "professional_title": (_("职称"), ["职称", "专业技术职称", "专业技术职务"]),
    "work_unit": (_("工作单位"), ["工作单位", "单位", "所在单位", "工作单位名称", "单位名称"]),
    "post": (_("职务"), ["职务", "现任职务", "职位"]),
    "work_unit_post": (
        _("工作单位及职务"),
        ["工作单位及职务", "单位及职务", "现工作单位及职务", "工作单位及职务（职称）"],
    ),
    "work_start": (_("参加工作时间"), ["参加工作时间", "参加工作年月"]),
    "phone": (
        _("联系电话"),
        ["联系电话", "手机", "手机号", "手机号码", "电话", "联系方式", "移动电话", "电话号码"],
    ),
    "phone_alt": (_("办公电话"), ["办公电话", "固定电话", "座机", "单位电话"]),
    "region": (
        _("所属区域"),
        ["所属区域", "区域", "所属地区", "所在地", "村（社区）", "所在村（社区）"]
        + ["所属村（社区）", "村社区", "村居", "村", "社区", "村（居）", "村/社区", "村/居"],
    ),
    "township": (_("乡镇（街道）"), ["乡镇（街道）", "乡镇", "镇街", "所属乡镇", "乡镇街道"]),
    "region_code": (
        _("区划代码"),
        ["区划代码", "所属区域代码", "区域代码", "行政区划代码", "统计用区划代码"],
    ),
    "categories": (
        _("类别"),
        ["类别", "统战对象类别", "人员类别", "所属类别", "对象类别", "类型", "统战类别"],
    ),
    "religion": (_("宗教"), ["宗教", "宗教信仰"]),
    "enterprise": (_("企业名称"), ["企业名称", "企业", "所在企业", "企业全称"]),
    "uscc": (_("统一社会信用代码"), ["统一社会信用代码", "社会信用代码", "信用代码"]),
    "specialty": (_("专业特长"), ["专业特长", "特长"]),
    "social_posts": (_("社会职务"), ["社会职务", "主要社会兼职", "社会兼职"]),
    "address": (_("通讯地址"), ["通讯地址", "地址", "家庭住址", "联系地址"]),
    "email": (_("电子邮箱"), ["电子邮箱", "邮箱", "email", "e-mail"]),
    "notes": (_("备注"), ["备注", "说明"]),
}
# Brackets that annotate a header ("出生年月（年.月）", "身份证号码（18位）").
_ANNOTATION_RE = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_MARKS = str.maketrans("", "", " *★☆:：")
HEADER_SCAN_ROWS = 20


def normalise_header(text) -> str:
    """Half-width, no spaces, no required-field stars, lower case."""
    return clean(text).translate(_MARKS).lower()


def _build_index() -> dict[str, str]:
    index = {}
    for key, (_label, names) in COLUMNS.items():
        for name in names:
            # Normalised like the cells: "村（社区）" is looked up as "村(社区)".
            index.setdefault(normalise_header(name), key)
    return index


HEADER_INDEX = _build_index()


def match_header(text) -> str | None:
    """The field a header cell names, or None: exact first, then without annotations."""
    name = normalise_header(text)
    if not name:
        return None
    if name in HEADER_INDEX:
        return HEADER_INDEX[name]
    bare = _ANNOTATION_RE.sub("", name)
    return HEADER_INDEX.get(bare) if bare else None


def label(key: str) -> str:
    return str(COLUMNS[key][0])


@dataclass
class Layout:
    """Where the header is and which column holds which field."""

    header_rows: list[int]  # indexes (0-based, within the rows read) of the header rows
    columns: dict[str, int]  # field -> column index
    headers: list[str]  # the header text of each column, as shown to the user
    ignored: list[str] = field(default_factory=list)  # headers that name no known field
    repeated: list[str] = field(default_factory=list)  # a field named by a second column

    def to_json(self) -> dict:
        return {
            "header_rows": self.header_rows,
            "columns": self.columns,
            "headers": self.headers,
            "ignored": self.ignored,
            "repeated": self.repeated,
        }


def _cell_text(value) -> str:
    """A header cell as the file shows it (trimmed; matching normalises it further)."""
    return value.strip() if isinstance(value, str) else ""


def _combined_headers(parent: list, child: list) -> list[str]:
    """Labels of a two-row header: a merged parent is carried right over its children; a
    cell merged down (the same text in both rows) is one label."""
    width = max(len(parent), len(child))
    parent = [_cell_text(v) for v in parent] + [""] * (width - len(parent))
    child = [_cell_text(v) for v in child] + [""] * (width - len(child))
    labels, carried = [], ""
    for top, bottom in zip(parent, child, strict=True):
        carried = top or (carried if bottom else "")
        if bottom and carried and bottom != carried:
            labels.append(f"{carried}|{bottom}")
        else:
            labels.append(bottom or carried)
    return labels


def _match_label(text: str) -> str | None:
    """A label "parent|child" matches by the child, then by both joined, then the parent."""
    if "|" not in text:
        return match_header(text)
    parent, child = text.split("|", 1)
    return match_header(child) or match_header(parent + child) or match_header(parent)


def _score(labels: list[str]) -> int:
    keys = {_match_label(text) for text in labels if text}
    keys.discard(None)
    return len(keys) + (2 if "name" in keys else 0)


def find_layout(rows: list[list]) -> Layout | None:
    """The header among the first rows: one row, or two when the second names more columns.

    Ties go to the single row: a title above the header must not become its parent row.
    """
    candidates = []
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        single = [_cell_text(v) for v in row]
        candidates.append((_score(single), -1, -index, [index], single))
        if index + 1 < len(rows):
            double = _combined_headers(row, rows[index + 1])
            candidates.append((_score(double), -2, -index, [index, index + 1], double))
    if not candidates:
        return None
    score, _rows, _index, header_rows, labels = max(candidates, key=lambda c: c[:3])
    if score < 4:  # 姓名 (which counts 3) and at least one more column
        return None
    return _layout(header_rows, labels)


def _layout(header_rows: list[int], labels: list[str]) -> Layout | None:
    columns: dict[str, int] = {}
    ignored, repeated, headers = [], [], []
    for index, text in enumerate(labels):
        shown = text.replace("|", "·")
        headers.append(shown)
        if not text:
            continue
        key = _match_label(text)
        if key is None:
            ignored.append(shown)
        elif key in columns:
            repeated.append(shown)
        else:
            columns[key] = index
    if "name" not in columns:
        return None
    return Layout(header_rows, columns, headers, ignored, repeated)
