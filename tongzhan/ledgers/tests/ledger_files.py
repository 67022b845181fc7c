"""Ledger files as townships keep them, built by the tests: every defect the importer must
handle, and what it must say about each row.

MESSY_ROWS is the sheet below the header, one entry per Excel row: the cells (None for a
blank row) and the expected (state, column, words of the reason). Columns are named as
the file names them.
"""

import csv
import io
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from tongzhan.lib.idcard import check_char


def id_number(birth: str, sequence: str = "123", county: str = "330599") -> str:
    body = county + birth + sequence
    return body + check_char(body)


def uscc_code(body17: str = "91330599MA2B3C4D5") -> str:
    from tongzhan.lib.uscc import check_char as uscc_check

    return body17 + uscc_check(body17)


def wrong_check() -> str:
    return "0" if uscc_code()[17] != "0" else "1"


ID_WANG = id_number("19750301", "131")  # 男 (odd 17th digit)
ID_LI = id_number("19800512", "242")  # 女
ID_MANGLED = float(id_number("19750301", "151"))  # a number cell: the last digits are gone
ID_BAD_CHECK = ID_WANG[:17] + ("0" if ID_WANG[17] != "0" else "1")
ID_CHEN = id_number("19760815", "171")  # 男, written with birth 1975-03-01: mismatch
ID_ZHOU = id_number("19820220", "182")  # 女, but the gender cell says 男
ID_SUN = id_number("19690909", "191")  # gender and birth left blank: both from the ID
ID_REGISTERED = id_number("19710101", "211")  # already in the registry (see REGISTRY)
ID_OLD_15 = "330599720615211"  # a first-generation number (1972-06-15, 男)
FULLWIDTH_ID = ID_LI.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})

HEADER_PARENT = [
    "序号",
    "姓　名",
    "性别",
    "公民身份号码",
    "出生年月",
    "民族",
    "籍贯",
    "党派",
    "文化程度",
    "职称",
    "工作单位及职务",
    None,  # merged with the cell on its left
    "联系电话（手机）",
    "村（社区）",
    "统战对象类别",
    "宗教",
    "企业名称",
    "统一社会信用代码",
    "备注",
]
HEADER_CHILD = [None] * 10 + ["单位", "职务"] + [None] * 7
# Column letters of the fields the expectations name.
NAME, GENDER, ID, BIRTH, ETHNIC, PARTY = (
    "姓　名",
    "性别",
    "公民身份号码",
    "出生年月",
    "民族",
    "党派",
)
PHONE, REGION, CATEGORY, USCC = "联系电话（手机）", "村（社区）", "统战对象类别", "统一社会信用代码"


def row(
    seq,
    name,
    gender="男",
    idn="",
    birth="",
    ethnic="汉族",
    party="群众",
    region="青山村",
    category="非公有制经济人士",
    phone="",
    unit="",
    post="",
    enterprise="",
    uscc="",
    religion="",
):
    return [
        seq,
        name,
        gender,
        idn,
        birth,
        ethnic,
        "浙江湖州",
        party,
        "本科",
        "",
        unit,
        post,
        phone,
        region,
        category,
        religion,
        enterprise,
        uscc,
        "",
    ]


# (cells, expected): expected is (state, column, words) or None for a blank row.
MESSY_ROWS = [
    (
        row(
            1,
            "王建国",
            idn=ID_WANG,
            birth="1975.03",
            party="民建会员",
            phone="13812345678",
            unit="清溪建材有限公司",
            post="总经理",
            enterprise="清溪建材有限公司",
            uscc=uscc_code(),
        ),
        ("ok", "", ""),
    ),
    (
        row(
            2,
            "李　秀英",
            gender="女",
            idn=FULLWIDTH_ID,
            birth="1980年5月",
            party="九三学社社员",
            phone="１３９ １２３４ ５６７８",
            category="党外知识分子、新的社会阶层人士",
        ),
        ("ok", "", ""),
    ),
    (row(3, "钱多多", idn=ID_MANGLED, birth="1975.03"), ("error", ID, "被电子表格当成数字")),
    (row(4, "孙少平", idn="3.30599E+17", birth="1975.03"), ("error", ID, "被电子表格当成数字")),
    (row(5, "吴校验", idn=ID_BAD_CHECK), ("error", ID, "校验位错误")),
    (row(6, "郑序列", birth=27454.0), ("ok", "", "")),  # Excel serial 27454 = 1975-03-01
    (row(7, "冯日期", birth=datetime(1966, 6, 6)), ("ok", "", "")),
    (row(8, "陈不符", idn=ID_CHEN, birth="1975-03-01"), ("error", BIRTH, "不符")),
    (row(9, "褚斜杠", birth="1975/3/1"), ("ok", "", "")),
    (row(10, "周错性", idn=ID_ZHOU, birth="1982.02"), ("error", GENDER, "与身份证号不符")),
    (row(11, "孙推导", gender="", idn=ID_SUN), ("ok", "", "")),
    (None, None),  # a blank row between persons
    (
        ["小计", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "共 10 人"],
        ("skipped", "", "合计/小计行"),
    ),
    (row(12, "蒋无村", region="不存在村"), ("error", REGION, "未找到区域")),
    (row(13, "沈越界", region="白石村"), ("error", REGION, "不在您的管辖范围内")),
    (row(14, "韩类别", category="统战人士"), ("error", CATEGORY, "不是 12 类统战对象之一")),
    (row(15, "杨全称", party="中国民主建国会", ethnic="回"), ("ok", "", "")),
    (row(16, "朱未知", ethnic="火星族", party="民建"), ("warning", ETHNIC, "不在代码表中")),
    (row(17, "秦电话", phone="12345"), ("warning", PHONE, "格式不正确")),
    (row(18, "尤重复", idn=ID_WANG, birth="1975.03"), ("error", ID, "与第 5 行的身份证号相同")),
    (row(19, "许已登", idn=ID_REGISTERED), ("error", ID, "该身份证号已登记")),
    (row(20, "赵德明", birth="1968.08"), ("warning", NAME, "同名或同拼音、同出生日期")),
    (row(21, "柳扬", birth="1990.01"), ("warning", NAME, "同名或同拼音、同出生日期")),
    (row(22, "何旧号", idn=ID_OLD_15), ("warning", ID, "15 位旧身份证号")),
    (row(23, "吕未来", birth="2099.01"), ("error", BIRTH, "晚于今天")),
    (row(24, ""), ("error", NAME, "姓名为空")),
    (row(25, "施社区", region="清溪镇溪口社区"), ("ok", "", "")),
    (row(26, "张模糊", birth=1975.1), ("warning", BIRTH, "可能是")),
    (row(27, "孔简写", category="非公,新阶层"), ("ok", "", "")),
    (row(28, "曹代码", uscc=uscc_code()[:17] + wrong_check()), ("warning", USCC, "校验码错误")),
    (HEADER_PARENT[:11] + ["", *HEADER_PARENT[12:]], ("skipped", "", "重复的表头行")),
    (row(29, "严合并", region="青山村"), ("ok", "", "")),  # region merged down into the next row
    (row(30, "华合并", region=None), ("ok", "", "")),
    (None, None),
    (
        [
            "填表人：张三",
            "",
            "",
            "",
            "",
            "审核人：李四",
            "",
            "",
            "",
            "",
            "",
            "",
            "联系电话：0572-1234567",
        ]
        + [""] * 6,
        ("skipped", "", "表尾"),
    ),
]
FIRST_DATA_ROW = 5  # Excel rows 1–2: title and 填报单位; 3–4: the two header rows
MERGED_REGION = (FIRST_DATA_ROW + 32, FIRST_DATA_ROW + 33)  # 严合并 and 华合并, 0-based + 1
# Registry persons the ledger collides with (name, region, birth, ID).
REGISTRY = [
    ("许登记", "330599101201", date(1971, 1, 1), ID_REGISTERED),
    ("赵德明", "330599101201", date(1968, 8, 8), ""),
    ("刘洋", "330599101001", date(1990, 1, 1), ""),
]


def expected_by_line() -> dict[int, tuple]:
    return {
        FIRST_DATA_ROW + index: expected
        for index, (cells, expected) in enumerate(MESSY_ROWS)
        if cells is not None
    }


def write_messy_xlsx(path: Path) -> Path:
    """The messy ledger as Excel keeps it: title, 填报单位 line, a merged two-row header,
    number cells where text should be, merged cells, subtotal, footer, trailing blanks."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("花名册")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, 18, "清溪镇统战对象花名册")
    sheet.write(1, 0, "填报单位（盖章）：清溪镇党委统战办　　　　填报时间：2026年3月1日")
    for column, text in enumerate(HEADER_PARENT):
        if column == 10:
            sheet.merge_range(2, 10, 2, 11, text)
        elif text is not None:
            sheet.merge_range(2, column, 3, column, text)
    sheet.write(3, 10, "单位")
    sheet.write(3, 11, "职务")
    for index, (cells, _expected) in enumerate(MESSY_ROWS):
        excel_row = FIRST_DATA_ROW - 1 + index
        if cells is None:
            continue
        if cells[1] == "严合并":
            sheet.merge_range(excel_row, 13, excel_row + 1, 13, "青山村")
        for column, value in enumerate(cells):
            if value is None or value == "" or (cells[1] in ("严合并", "华合并") and column == 13):
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(excel_row, column, value, date_format)
            elif isinstance(value, int | float):
                sheet.write_number(excel_row, column, value)
            else:
                sheet.write_string(excel_row, column, value)
    # Formatted but empty rows at the end: Excel's used range, no data.
    blank = workbook.add_format({"border": 1})
    last = FIRST_DATA_ROW - 1 + len(MESSY_ROWS)
    for extra in range(last + 1, last + 4):
        sheet.write_blank(extra, 0, None, blank)
    workbook.close()
    return path


# --- a GBK .csv, as Excel "CSV" on a Chinese Windows writes it --------------------------------

CSV_HEADER = (
    ["清溪镇统战对象花名册（2026）"],
    [
        "序号",
        "名字",
        "性别",
        "身份证号码",
        "出生日期",
        "民族",
        "政治面貌",
        "工作单位及职务",
        "手机",
        "所属区域",
        "类别",
    ],
)
CSV_ROWS = [
    (
        [
            "1",
            "欧阳明",
            "男",
            id_number("19700707", "151"),
            "1970.07",
            "汉",
            "致公党",
            "清溪镇中心小学 校长",
            "13900001111",
            "青山村",
            "党外知识分子",
        ],
        ("ok", "", ""),
    ),
    (
        [
            "2",
            "单田芳",
            "女",
            "3.30599E+17",
            "1971.01",
            "汉",
            "群众",
            "清溪镇卫生院",
            "",
            "青山村",
            "党外知识分子",
        ],
        ("error", "身份证号码", "被电子表格当成数字"),
    ),
    (["", "", "", "", "", "", "", "", "", "", ""], None),
    (
        [
            "3",
            "曾　红",
            "女",
            "",
            "1985年12月",
            "畲",
            "农工党党员",
            "清溪镇农技站/站长",
            "0572-5551234",
            "清溪镇",
            "其他",
        ],
        ("ok", "", ""),
    ),
    (["合计", "3人", "", "", "", "", "", "", "", "", ""], ("skipped", "", "合计/小计行")),
]


def write_csv(path: Path, encoding: str = "gbk") -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for line in CSV_HEADER:
        writer.writerow(line)
    for cells, _expected in CSV_ROWS:
        writer.writerow(cells)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def csv_expected_by_line() -> dict[int, tuple]:
    first = len(CSV_HEADER) + 1
    return {first + i: expected for i, (_cells, expected) in enumerate(CSV_ROWS) if expected}
