"""National code tables (REFERENCE.md) and the 12 统战对象 categories.

These are standards, not data users edit, so they live in code: every form,
import and API validates against the same table.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    """性别, GB/T 2261.1-2003."""

    UNKNOWN = "0", _("未知的性别")
    MALE = "1", _("男")
    FEMALE = "2", _("女")
    UNSTATED = "9", _("未说明的性别")


class PoliticalStatus(models.TextChoices):
    """政治面貌, GB/T 4762 (the eight democratic parties and 无党派民主人士 included)."""

    CPC = "01", _("中共党员")
    CPC_PROBATIONARY = "02", _("中共预备党员")
    CYL = "03", _("共青团员")
    RCCK = "04", _("民革党员")
    CDL = "05", _("民盟盟员")
    CNDCA = "06", _("民建会员")
    CAPD = "07", _("民进会员")
    CPWDP = "08", _("农工党党员")
    CZGP = "09", _("致公党党员")
    JS = "10", _("九三学社社员")
    TDSGL = "11", _("台盟盟员")
    NON_PARTY = "12", _("无党派民主人士")
    MASSES = "13", _("群众")


# The eight democratic parties: code, full name, short name, member title.
DEMOCRATIC_PARTIES = [
    ("04", "中国国民党革命委员会", "民革", "党员"),
    ("05", "中国民主同盟", "民盟", "盟员"),
    ("06", "中国民主建国会", "民建", "会员"),
    ("07", "中国民主促进会", "民进", "会员"),
    ("08", "中国农工民主党", "农工党", "党员"),
    ("09", "中国致公党", "致公党", "党员"),
    ("10", "九三学社", "九三学社", "社员"),
    ("11", "台湾民主自治同盟", "台盟", "盟员"),
]


# 民族, GB/T 3304-1991: numeric code, name, two-letter code. The English catalog uses the
# standard's romanised names (Han, Mongol, Hui, …).
ETHNIC_GROUPS = [
    ("01", _("汉族"), "HA"),
    ("02", _("蒙古族"), "MG"),
    ("03", _("回族"), "HU"),
    ("04", _("藏族"), "ZA"),
    ("05", _("维吾尔族"), "UG"),
    ("06", _("苗族"), "MH"),
    ("07", _("彝族"), "YI"),
    ("08", _("壮族"), "ZH"),
    ("09", _("布依族"), "BY"),
    ("10", _("朝鲜族"), "CS"),
    ("11", _("满族"), "MA"),
    ("12", _("侗族"), "DO"),
    ("13", _("瑶族"), "YA"),
    ("14", _("白族"), "BA"),
    ("15", _("土家族"), "TJ"),
    ("16", _("哈尼族"), "HN"),
    ("17", _("哈萨克族"), "KZ"),
    ("18", _("傣族"), "DA"),
    ("19", _("黎族"), "LI"),
    ("20", _("傈僳族"), "LS"),
    ("21", _("佤族"), "VA"),
    ("22", _("畲族"), "SH"),
    ("23", _("高山族"), "GS"),
    ("24", _("拉祜族"), "LH"),
    ("25", _("水族"), "SU"),
    ("26", _("东乡族"), "DX"),
    ("27", _("纳西族"), "NX"),
    ("28", _("景颇族"), "JP"),
    ("29", _("柯尔克孜族"), "KG"),
    ("30", _("土族"), "TU"),
    ("31", _("达斡尔族"), "DU"),
    ("32", _("仫佬族"), "ML"),
    ("33", _("羌族"), "QI"),
    ("34", _("布朗族"), "BL"),
    ("35", _("撒拉族"), "SL"),
    ("36", _("毛南族"), "MN"),
    ("37", _("仡佬族"), "GL"),
    ("38", _("锡伯族"), "XB"),
    ("39", _("阿昌族"), "AC"),
    ("40", _("普米族"), "PM"),
    ("41", _("塔吉克族"), "TA"),
    ("42", _("怒族"), "NU"),
    ("43", _("乌孜别克族"), "UZ"),
    ("44", _("俄罗斯族"), "RS"),
    ("45", _("鄂温克族"), "EW"),
    ("46", _("德昂族"), "DE"),
    ("47", _("保安族"), "BN"),
    ("48", _("裕固族"), "YG"),
    ("49", _("京族"), "GI"),
    ("50", _("塔塔尔族"), "TT"),
    ("51", _("独龙族"), "DR"),
    ("52", _("鄂伦春族"), "OR"),
    ("53", _("赫哲族"), "HZ"),
    ("54", _("门巴族"), "MB"),
    ("55", _("珞巴族"), "LB"),
    ("56", _("基诺族"), "JN"),
    # Implementations differ here; these follow the 1991 text as most public tables quote it.
    ("97", _("其他"), ""),
    ("98", _("外国血统中国籍人士"), ""),
]
Ethnicity = models.TextChoices(
    "Ethnicity", [(f"E{code}", (code, name)) for code, name, _letters in ETHNIC_GROUPS]
)


class Education(models.TextChoices):
    """学历, GB/T 4658-2006 (hierarchical two-digit codes; the common leaves and heads)."""

    POSTGRADUATE = "10", _("研究生教育")
    DOCTORATE = "11", _("博士研究生毕业")
    DOCTORATE_INCOMPLETE = "12", _("博士研究生结业")
    DOCTORATE_DROPPED = "13", _("博士研究生肄业")
    MASTER = "14", _("硕士研究生毕业")
    MASTER_INCOMPLETE = "15", _("硕士研究生结业")
    MASTER_DROPPED = "16", _("硕士研究生肄业")
    POSTGRAD_CLASS = "17", _("研究生班毕业")
    POSTGRAD_CLASS_INCOMPLETE = "18", _("研究生班结业")
    POSTGRAD_CLASS_DROPPED = "19", _("研究生班肄业")
    BACHELOR_LEVEL = "20", _("大学本科教育")
    BACHELOR = "21", _("大学本科毕业")
    BACHELOR_INCOMPLETE = "22", _("大学本科结业")
    BACHELOR_DROPPED = "23", _("大学本科肄业")
    BACHELOR_ORDINARY = "28", _("大学普通班毕业")
    COLLEGE_LEVEL = "30", _("大学专科教育")
    COLLEGE = "31", _("大学专科毕业")
    COLLEGE_INCOMPLETE = "32", _("大学专科结业")
    COLLEGE_DROPPED = "33", _("大学专科肄业")
    SECONDARY_VOCATIONAL = "40", _("中等职业教育")
    TECHNICAL_SECONDARY = "41", _("中等专科毕业")
    VOCATIONAL_HIGH = "44", _("职业高中毕业")
    SKILLED_WORKER = "47", _("技工学校毕业")
    HIGH_SCHOOL = "60", _("普通高级中学教育")
    HIGH_SCHOOL_GRADUATE = "61", _("普通高中毕业")
    JUNIOR_HIGH = "70", _("初级中学教育")
    JUNIOR_HIGH_GRADUATE = "71", _("初中毕业")
    PRIMARY = "80", _("小学教育")
    PRIMARY_GRADUATE = "81", _("小学毕业")
    OTHER = "90", _("其他")


class Religion(models.TextChoices):
    """The five religions; the letter is the one used in 宗教活动场所登记证号."""

    BUDDHISM = "F", _("佛教")
    TAOISM = "D", _("道教")
    ISLAM = "Y", _("伊斯兰教")
    CATHOLICISM = "T", _("天主教")
    PROTESTANTISM = "J", _("基督教")


class Category(models.TextChoices):
    """The 12 categories of 统战对象 (统一战线工作条例). A person may be in several."""

    DEMOCRATIC_PARTY = "01", _("民主党派成员")
    NON_PARTY = "02", _("无党派人士")
    INTELLECTUAL = "03", _("党外知识分子")
    ETHNIC_MINORITY = "04", _("少数民族人士")
    RELIGIOUS = "05", _("宗教界人士")
    NON_PUBLIC_ECONOMY = "06", _("非公有制经济人士")
    NEW_SOCIAL_STRATUM = "07", _("新的社会阶层人士")
    STUDIED_ABROAD = "08", _("出国和归国留学人员")
    HK_MACAO = "09", _("香港同胞、澳门同胞")
    TAIWAN = "10", _("台湾同胞及其在大陆的亲属")
    OVERSEAS_CHINESE = "11", _("华侨、归侨及侨眷")
    OTHER = "12", _("其他需要联系和团结的人员")


class PersonStatus(models.TextChoices):
    """状态 of a registry entry."""

    ACTIVE = "active", _("在库")
    TRANSFERRED = "transferred", _("调出")
    DECEASED = "deceased", _("去世")
    WITHDRAWN = "withdrawn", _("退出")


class UrbanRural(models.TextChoices):
    """城乡分类代码 of the statistical division codes."""

    MAIN_URBAN = "111", _("主城区")
    URBAN_FRINGE = "112", _("城乡结合区")
    TOWN_CENTRE = "121", _("镇中心区")
    TOWN_FRINGE = "122", _("镇乡结合区")
    SPECIAL = "123", _("特殊区域")
    TOWNSHIP_CENTRE = "210", _("乡中心区")
    VILLAGE = "220", _("村庄")


class RegionLevel(models.IntegerChoices):
    """The five levels of the division code."""

    PROVINCE = 1, _("省级")
    CITY = 2, _("市级")
    COUNTY = 3, _("县级")
    TOWNSHIP = 4, _("乡级")
    VILLAGE = 5, _("村级")


class RepresentativeLevel(models.TextChoices):
    """Levels of 党外代表人士 and of 政治安排 (人大/政协)."""

    TOWNSHIP = "township", _("乡级")
    COUNTY = "county", _("县级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
    NATIONAL = "national", _("国家级")
