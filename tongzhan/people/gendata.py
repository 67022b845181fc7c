"""Synthetic registry data at scale (`tongzhan gen-data`), for benchmarks and demos only.

Everything here is made up: a province-wide region tree with well-formed codes but
invented names (the province is called 模拟省（合成数据）), persons with names drawn from
surname frequencies, valid 身份证号 (GB 11643 check character; address = the region's
county, birth date and gender consistent with the record), mobile numbers, categories,
parties, 党外代表人士, 政治安排, enterprises with valid 统一社会信用代码, line profiles and
status history. Every person's 备注 says it is synthetic (SYNTHETIC_NOTE).

Rows are written in chunks, one transaction per chunk, as plain INSERTs (COPY on
PostgreSQL; bulk_create was measured 2–3× slower, see RawTable), with the values the
model setters compute (SM4-GCM + blind index for ID and phone) and the same search keys
as `search.search_keys`. No audit row is written per person, only one for the run:
this is not a user's work.
"""

from __future__ import annotations

import contextlib
import functools
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection, transaction
from django.utils import timezone

from tongzhan.core.choices import (
    Category,
    Education,
    Gender,
    PersonStatus,
    PoliticalStatus,
    RegionLevel,
    Religion,
    RepresentativeLevel,
    UrbanRural,
)
from tongzhan.core.models import Region
from tongzhan.lib import chinese, divisioncode, idcard, uscc
from tongzhan.people.choices import ArrangementKind, EnterpriseScale

from . import search
from .models import (
    NonPublicProfile,
    OverseasProfile,
    Person,
    PersonCategory,
    PersonSearchKey,
    PoliticalArrangement,
    ReligiousProfile,
    StatusChange,
    category_bits,
)

SYNTHETIC_NOTE = "gen-data 合成数据：仅供性能测试与演示，不是真实人员"
SYNTHETIC_PROVINCE_NAME = "模拟省（合成数据）"
DEFAULT_PROVINCE = "360000000000"
# Below this many village-level regions in the province, gen-data builds its own tree.
FEW_REGIONS = 1000
DEFAULT_CHUNK = 5000
LATE_SHARE = 0.15  # persons filed one by one after their township's ledger (plan_places)
BULK_CACHE_KIB = 256 * 1024  # SQLite page cache while loading (see _bulk_load)
REGION_YEAR = 2025
TODAY = date(2026, 1, 1)  # fixed, so that one seed always gives the same data


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one space-separated string (keeps the tables short)."""
    return tuple(text.split())


# --- names --------------------------------------------------------------------------------

# Surnames with their share (‰, roughly the 2020 census order), then the ones whose
# surname reading differs from the commonest reading, and compound surnames: search
# must find 单 as shan, 曾 as zeng, 欧阳 as ouyang.
SURNAME_WEIGHTS = (
    "王71 李70 张67 刘51 陈46 杨32 黄25 赵22 吴20 周19 徐15 孙14 马13 朱13 胡12 郭12 何11 "
    "林11 高10 罗10 郑9 梁9 谢8 宋8 唐8 许7 韩7 冯7 邓7 曹7 彭7 曾6 肖6 田6 董6 袁6 潘6 于6 "
    "蒋5 蔡5 余5 杜5 叶5 程5 苏5 魏4 吕4 丁4 任4 沈4 姚4 卢4 姜4 崔4 钟4 谭3 陆3 汪3 范3 "
    "金3 石3 廖3 贾3 夏3 韦3 付2 方2 白2 邹2 孟2 熊2 秦2 邱2 江2 尹2 薛2 闫2 段2 雷2 侯2 "
    "龙2 史2 陶2 黎2 贺2 顾2 毛2 郝1 龚1 邵1 万1 钱1 严1 覃1 武1 戴1 莫1 孔1 向1 汤1 常1 "
    "温1 康1 施1 文1 牛1 樊1 葛1 邢1 安1 齐1 易1 乔1 伍1 庞1 颜1 倪1 庄1 聂1 章1 鲁1 岳1 "
    "翟1 殷1 詹1 申1 欧1 耿1 关1 兰1 焦1 俞1 左1 柳1 甘1 祝1 包1 宁1 尚1 符1 舒1 阮1 柯1 "
    "纪1 梅1 童1 凌1 毕1 单1 季1 裴1 霍1 涂1 成1 苗1 谷1 盛1 曲1 翁1 冉1 骆1 蓝1 路1 游1 "
    "辛1 靳1 管1 柴1 蒙1 鲍1 华1 喻1 祁1 蒲1 房1 滕1 屈1 饶1 解1 牟1 艾1 尤1 阳1 时1 穆1 "
    "农1 司1 卓1 古1 吉1 缪1 简1 车1 项1 连1 芦1 麦1 褚1 娄1 窦1 戚1 岑1 景1 党1 宫1 费1 "
    "卜1 冷1 晏1 席1 卫1 米1 柏1 宗1 瞿1 桂1 全1 佟1 应1 臧1 闵1 苟1 邬1 边1 卞1 姬1 师1 "
    "和1 仇1 栾1 隋1 商1 刁1 沙1 荣1 巫1 寇1 桑1 郎1 甄1 丛1 仲1 虞1 敖1 巩1 明1 佘1 池1 "
    "查1 麻1 苑1 迟1 邝1 区1 朴1 盖1 乐1 长1 谌1 都1"
)
# Compound surnames, rare: (surname, weight in tenths of ‰).
COMPOUND_WEIGHTS = {"欧阳": 4, "司马": 1, "诸葛": 1, "上官": 1, "东方": 1, "尉迟": 1, "单于": 1}

# Given-name characters. Each pool holds some heteronyms (乐 长 行 重 朝 和 传 觉 强 华
# 都 藏 省 奇 曾): every reading of them is indexed, so `zhangle` and `zhangyue` both work.
MALE_CHARS = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发"
    "武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心"
    "邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦"
    "翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘长重朝传觉华都省曾"
)
FEMALE_CHARS = (
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞"
    "香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵"
    "雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘"
    "育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽乐长朝"
)
DHARMA_CHARS = "明心慧觉善德法智净空圆通海静宗性妙源"
# 维吾尔族, 哈萨克族 names as registries write them, with the middle dot.
TRANSLITERATED = _words(
    "阿不都·热合曼 买买提·依明 古丽·努尔 努尔兰·别克 艾力·吐尔逊 热依拉·买买提 吐尔洪·阿吉 迪丽·阿不来提"
)
# A small share of ledgers are typed in Traditional characters; search folds them.
TRADITIONAL_SHARE = 0.01
MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 170 176 177 178 180 181 182 183 185 186 187 188 189 191 198 199"
)

# --- region tree --------------------------------------------------------------------------

PLACE_CHARS = (
    "东南西北安平宁康泰和兴隆昌盛富贵吉祥永乐长青山水河湖江海洲岭峰川源溪泉石松竹梅兰"
    "桃李杏桂枫柳桥塘湾港口坪坝岗庄堡营集店铺寨屯沟洼岩林田园新华光明阳春秋丰余金银玉"
    "龙凤鹤云霞城关中上下前后大小黄白红绿清"
)


@dataclass(frozen=True)
class TreeShape:
    """How big a synthetic province is: 11 cities, ~90 counties, ~1,300 townships and
    ~20,000 villages with the defaults (counts per parent are drawn from the ranges)."""

    cities: int = 11
    counties: tuple[int, int] = (6, 10)
    townships: tuple[int, int] = (11, 19)
    villages: tuple[int, int] = (9, 23)


@dataclass
class RegionTree:
    """The regions persons are filed under, and what the run created."""

    province: str
    villages: list[tuple[str, bool]]  # (code, is a 社区)
    townships: list[str]
    counties: dict[str, str]  # county code → name, for 籍贯
    created: int = 0


def _place_name(rng: random.Random, used: set[str], suffix: str) -> str:
    while True:
        name = "".join(rng.sample(PLACE_CHARS, 2)) + suffix
        if name not in used:
            used.add(name)
            return name


def _region(code: str, name: str, urban_rural: str = "") -> Region:
    return Region(
        code=code,
        name=name,
        level=divisioncode.level_of(code),
        parent_id=divisioncode.parent_of(code),
        urban_rural=urban_rural,
        valid_year=REGION_YEAR,
    )


def plan_region_tree(province: str, rng: random.Random, shape: TreeShape) -> list[Region]:
    """Every region of a synthetic province, parents before children, codes in the
    ranges of REFERENCE.md (区 02–20, 县 21–80, 市 81–; 街道 001–, 镇 101–, 乡 201–;
    社区 001–, 村 201–)."""
    prov = province[:2]
    regions = [_region(province, SYNTHETIC_PROVINCE_NAME)]
    city_names: set[str] = set()
    for c in range(1, shape.cities + 1):
        city = f"{prov}{c:02d}"
        regions.append(_region(city.ljust(12, "0"), _place_name(rng, city_names, "市")))
        county_names: set[str] = set()
        for n, kind in _county_kinds(rng, shape):
            suffix = {"district": "区", "county": "县", "city": "市"}[kind]
            code = f"{city}{n:02d}"
            regions.append(_region(code.ljust(12, "0"), _place_name(rng, county_names, suffix)))
            regions += _plan_townships(code, kind, rng, shape)
    return regions


def _county_kinds(rng: random.Random, shape: TreeShape) -> list[tuple[int, str]]:
    total = rng.randint(*shape.counties)
    districts = rng.randint(1, 3)
    cities = rng.randint(0, 1)
    counties = max(total - districts - cities, 1)
    return (
        [(2 + i, "district") for i in range(districts)]
        + [(21 + i, "county") for i in range(counties)]
        + [(81 + i, "city") for i in range(cities)]
    )


def _plan_townships(county: str, kind: str, rng: random.Random, shape: TreeShape) -> list:
    regions = []
    names: set[str] = set()
    count = rng.randint(*shape.townships)
    street_share = 0.7 if kind == "district" else 0.15
    streets = round(count * street_share)
    towns = round((count - streets) * 0.7)
    numbers = (
        [(1 + i, "街道") for i in range(streets)]
        + [(101 + i, "镇") for i in range(towns)]
        + [(201 + i, "乡") for i in range(count - streets - towns)]
    )
    for n, suffix in numbers:
        code = f"{county}{n:03d}"
        regions.append(_region(code.ljust(12, "0"), _place_name(rng, names, suffix)))
        regions += _plan_villages(code, suffix, rng, shape)
    return regions


def _plan_villages(township: str, kind: str, rng: random.Random, shape: TreeShape) -> list:
    count = rng.randint(*shape.villages)
    community_share = {"街道": 1.0, "镇": 0.25, "乡": 0.05}[kind]
    communities = round(count * community_share)
    names: set[str] = set()
    regions = []
    for i in range(count):
        if i < communities:
            code, suffix, ur = f"{township}{1 + i:03d}", "社区", UrbanRural.MAIN_URBAN
            if kind != "街道":
                ur = UrbanRural.TOWN_CENTRE
        else:
            code, suffix, ur = f"{township}{201 + i - communities:03d}", "村", UrbanRural.VILLAGE
        regions.append(_region(code, _place_name(rng, names, suffix), ur))
    return regions


def ensure_region_tree(province: str, rng: random.Random, shape: TreeShape) -> RegionTree:
    """Use the regions already under the province when there are enough; otherwise add
    the synthetic tree (existing codes are kept as they are)."""
    divisioncode.validate(province)
    if divisioncode.level_of(province) != RegionLevel.PROVINCE:
        raise ValueError(f"{province} 不是省级区划代码")
    created = 0
    if _villages_under(province).count() < FEW_REGIONS:
        regions = plan_region_tree(province, rng, shape)
        before = Region.objects.count()
        with transaction.atomic():
            Region.objects.bulk_create(regions, batch_size=2000, ignore_conflicts=True)
        created = Region.objects.count() - before
    return _load_tree(province, created)


def _villages_under(province: str):
    return Region.objects.within(province).active().filter(level=RegionLevel.VILLAGE)


def _load_tree(province: str, created: int) -> RegionTree:
    villages = [
        (code, code[9:12] < "200")
        for code in _villages_under(province).order_by("code").values_list("code", flat=True)
    ]
    within = Region.objects.within(province).active()
    townships = list(
        within.filter(level=RegionLevel.TOWNSHIP).order_by("code").values_list("code", flat=True)
    )
    counties = dict(
        within.filter(level=RegionLevel.COUNTY).order_by("code").values_list("code", "name")
    )
    if not villages:
        raise ValueError(f"{province} 下没有村级区划")
    return RegionTree(province, villages, townships, counties, created)


# --- persons ------------------------------------------------------------------------------

# (profile, weight in a 社区, weight in a 村, categories)
PROFILES = (
    ("entrepreneur", 18, 12, (Category.NON_PUBLIC_ECONOMY,)),
    ("new_stratum", 14, 4, (Category.NEW_SOCIAL_STRATUM,)),
    ("party_member", 12, 5, (Category.DEMOCRATIC_PARTY,)),
    ("non_party", 4, 2, (Category.NON_PARTY, Category.INTELLECTUAL)),
    ("intellectual", 14, 7, (Category.INTELLECTUAL,)),
    ("ethnic", 3, 5, (Category.ETHNIC_MINORITY,)),
    ("religious", 3, 7, (Category.RELIGIOUS,)),
    ("studied_abroad", 5, 1, (Category.STUDIED_ABROAD,)),
    ("hk_macao", 2, 1, (Category.HK_MACAO,)),
    ("taiwan", 1, 2, (Category.TAIWAN,)),
    ("overseas", 3, 6, (Category.OVERSEAS_CHINESE,)),
    ("other", 2, 3, (Category.OTHER,)),
)
# The eight democratic parties, weighted as their membership roughly is.
PARTIES = ("04", "05", "05", "05", "06", "06", "06", "07", "07", "08", "08", "09", "10", "10", "11")
MINORITIES = ("03", "22", "06", "15", "08", "04", "11", "14", "12", "07")
REP_LEVELS = (
    (RepresentativeLevel.TOWNSHIP, 35),
    (RepresentativeLevel.COUNTY, 45),
    (RepresentativeLevel.CITY, 15),
    (RepresentativeLevel.PROVINCE, 5),
)
EDUCATION = (
    (Education.DOCTORATE, 2),
    (Education.MASTER, 9),
    (Education.BACHELOR, 38),
    (Education.COLLEGE, 24),
    (Education.TECHNICAL_SECONDARY, 8),
    (Education.HIGH_SCHOOL_GRADUATE, 12),
    (Education.JUNIOR_HIGH_GRADUATE, 7),
)
TITLES = ("", "", "") + _words(
    "高级工程师 工程师 高级教师 一级教师 主任医师 副主任医师 主治医师 高级经济师 经济师 "
    "会计师 律师 副教授 教授 研究员"
)
INDUSTRIES = _words(
    "制造业 批发和零售业 建筑业 农林牧渔业 信息技术服务业 餐饮住宿业 交通运输业 房地产业 "
    "文化旅游业 租赁和商务服务业"
)
FIRM_WORDS = _words(
    "宏达 恒信 华盛 鑫源 瑞丰 永兴 联创 金泰 天成 立德 汇通 新锐 博远 锦程 众合 隆泰"
)
FIRM_KINDS = _words("机械 电子 纺织 建材 食品 贸易 科技 建设 农业 物流")
NEW_STRATUM_UNITS = _words("律师事务所 会计师事务所 网络科技工作室 设计有限公司 咨询服务中心")
INTELLECTUAL_UNITS = _words("第一中学 实验小学 人民医院 中医院 职业技术学校 农业技术推广站")
CLERICAL = {
    Religion.BUDDHISM: ("住持", "监院", "法师"),
    Religion.TAOISM: ("住持", "道长", "监院"),
    Religion.ISLAM: ("教长", "阿訇", "伊玛目"),
    Religion.CATHOLICISM: ("主教", "神父", "修女"),
    Religion.PROTESTANTISM: ("牧师", "长老", "传道员"),
}
VENUES = {
    Religion.BUDDHISM: "寺",
    Religion.TAOISM: "观",
    Religion.ISLAM: "清真寺",
    Religion.CATHOLICISM: "天主堂",
    Religion.PROTESTANTISM: "基督教堂",
}
OVERSEAS_PLACES = {
    "hk_macao": ("香港", "澳门"),
    "taiwan": ("台湾",),
    "overseas": ("美国", "加拿大", "新加坡", "马来西亚", "印度尼西亚", "意大利", "西班牙", "日本"),
}
OVERSEAS_TIES = ("本人旅居", "父母在", "子女在", "兄弟姐妹在", "配偶在")
STATUS_REASONS = {
    PersonStatus.TRANSFERRED: "工作调动，转出本地",
    PersonStatus.DECEASED: "因病去世",
    PersonStatus.WITHDRAWN: "本人申请退出",
}
ARRANGEMENT_POSTS = {
    ArrangementKind.NPC: ("代表", "常委会委员"),
    ArrangementKind.CPPCC: ("委员", "常委"),
    ArrangementKind.OTHER: ("特约监督员", "人民陪审员", "工商联执委"),
}
TERMS = {
    RepresentativeLevel.TOWNSHIP: "第二十届",
    RepresentativeLevel.COUNTY: "第十八届",
    RepresentativeLevel.CITY: "第九届",
    RepresentativeLevel.PROVINCE: "第十四届",
    RepresentativeLevel.NATIONAL: "第十四届",
}
LEVEL_ORDER = [level for level, _w in REP_LEVELS]
RELIGIONS = tuple(Religion)


@functools.lru_cache(maxsize=300_000)
def _name_keys(name: str) -> tuple[chinese.NameKeys, dict]:
    """The name's search keys and the person's own search columns, as the services
    write them (search.name_key, search.pinyin_sort_key); names repeat at a million
    persons, so each distinct name is keyed once."""
    keys = chinese.name_keys(name)
    return keys, {"name_key": keys.simplified, "name_pinyin": search.pinyin_sort_key(name)}


def _sensitive(id_number: str, phone: str) -> dict:
    """The ID and phone columns exactly as Person's setters write them (SM4-GCM
    ciphertext, blind index, masked form), without the cost of building a Person."""
    holder = SimpleNamespace()
    Person.id_number.fset(holder, id_number)
    Person.phone.fset(holder, phone)
    return vars(holder)


@dataclass
class Draft:
    """One person about to be written (column values by attname), with the rows that
    hang off it."""

    values: dict
    categories: tuple[str, ...]
    keys: chinese.NameKeys
    id_number: str  # in clear, for a ledger made of synthetic persons (bench/import)
    phone: str
    non_public: dict | None = None
    religious: dict | None = None
    overseas: dict | None = None
    arrangements: list[dict] = field(default_factory=list)
    status_reason: str = ""


def _parse_weights(text: str) -> tuple[list[str], list[int]]:
    names, weights = [], []
    for item in text.split():
        names.append(item[0])
        weights.append(int(item[1:]) * 10)
    for surname, weight in COMPOUND_WEIGHTS.items():
        names.append(surname)
        weights.append(weight)
    return names, weights


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


class PersonFactory:
    """Draws realistic synthetic persons from one seeded RNG: the same seed, tree and
    count give the same persons (except ciphertexts, whose nonces are random)."""

    def __init__(self, tree: RegionTree, seed: int):
        self.rng = random.Random(seed)
        self.tree = tree
        surnames, weights = _parse_weights(SURNAME_WEIGHTS)
        self.surnames, self.surname_cum = surnames, _cumulative(weights)
        village_weights = [1.6 if community else 1.0 for _code, community in tree.villages]
        self.village_cum = _cumulative(village_weights)
        self.profile_cum = {
            urban: _cumulative(p[1] if urban else p[2] for p in PROFILES) for urban in (True, False)
        }
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()

    def plan_places(self, count: int) -> list[tuple[str, bool]]:
        """Where each of `count` persons is filed, in the order they are written. A
        registry fills up a township's ledger at a time, then one person at a time: most
        persons come grouped by township (townships in random order), LATE_SHARE of them
        afterwards in no order. So a region's persons sit about as close together on disk
        as in a real database; drawn in random order they would be spread over the
        whole table, a worst case that makes every scoped scan read a page per person."""
        rng = self.rng
        places = [self._region() for _ in range(count)]
        order = {code[:9]: rng.random() for code, _urban in places}
        grouped, late = [], []
        for place in places:
            (late if rng.random() < LATE_SHARE else grouped).append(place)
        grouped.sort(key=lambda place: order[place[0][:9]])
        return grouped + late

    def draft(self, place: tuple[str, bool] | None = None) -> Draft:
        rng = self.rng
        region, urban = place or self._region()
        profile, _c, _v, categories = rng.choices(PROFILES, cum_weights=self.profile_cum[urban])[0]
        gender = Gender.MALE if rng.random() < 0.66 else Gender.FEMALE
        birth = date(1945, 1, 1) + timedelta(days=rng.randrange(55 * 365))
        values = {
            "gender": gender,
            "birth_date": birth,
            "region_id": region,
            "ethnicity": "01",
            "political_status": PoliticalStatus.MASSES,
            "notes": SYNTHETIC_NOTE,
        }
        extras: dict = {}
        cats = list(categories)
        self._profile(profile, values, cats, extras, region)
        self._extra_categories(cats)
        if "name" not in values:
            values["name"] = self.name(gender)
        self._common(values, region)
        self._representative(values, extras)
        reason = self._status(values, birth)
        id_number = self.id_number(region, birth, gender)
        phone = self.phone() if rng.random() < 0.9 else ""
        values.update(_sensitive(id_number, phone))
        keys, columns = _name_keys(values["name"])
        values.update(columns)
        cats = tuple(sorted(set(cats)))
        return Draft(values, cats, keys, id_number, phone, status_reason=reason, **extras)

    # --- pieces of a draft

    def _region(self) -> tuple[str, bool]:
        rng = self.rng
        if rng.random() < 0.06 and self.tree.townships:  # filed at township level
            return rng.choice(self.tree.townships), True
        code, community = rng.choices(self.tree.villages, cum_weights=self.village_cum)[0]
        return code, community

    def name(self, gender: str, surname: str | None = None) -> str:
        rng = self.rng
        surname = surname or rng.choices(self.surnames, cum_weights=self.surname_cum)[0]
        pool = MALE_CHARS if gender == Gender.MALE else FEMALE_CHARS
        given = rng.choice(pool) if rng.random() < 0.25 else rng.choice(pool) + rng.choice(pool)
        name = surname + given
        if rng.random() < TRADITIONAL_SHARE:
            name = chinese.to_traditional(name)
        return name

    def _profile(self, profile, values, cats, extras, region) -> None:
        getattr(self, f"_as_{profile}", self._as_default)(values, cats, extras, region)

    def _as_default(self, values, cats, extras, region) -> None:
        values["work_unit"] = self._place(region) + self.rng.choice(INTELLECTUAL_UNITS)

    def _as_entrepreneur(self, values, cats, extras, region) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.12:  # 民建 and 工商联 overlap in practice
            values["political_status"] = "06"
            cats.append(Category.DEMOCRATIC_PARTY)
        firm = self._place(region) + rng.choice(FIRM_WORDS) + rng.choice(FIRM_KINDS) + "有限公司"
        values["work_unit"], values["post"] = firm, rng.choice(("董事长", "总经理", "执行董事"))
        employees = int(rng.lognormvariate(3.2, 1.2)) + 1
        revenue = Decimal(employees * rng.randint(20, 80)).quantize(Decimal("0.01"))
        extras["non_public"] = {
            "enterprise": firm,
            "uscc": self.uscc(region),
            "industry": rng.choice(INDUSTRIES),
            "scale": enterprise_scale(employees),
            "employees": employees,
            "revenue": revenue,
            "tax": (revenue * Decimal("0.05")).quantize(Decimal("0.01")),
            "chamber": self._place(region) + rng.choice(("总商会", "青年商会", "女企业家商会")),
        }

    def _as_new_stratum(self, values, cats, extras, region) -> None:
        values["work_unit"] = self._place(region) + self.rng.choice(NEW_STRATUM_UNITS)
        values["post"] = self.rng.choice(("合伙人", "负责人", "设计师", "主播"))

    def _as_party_member(self, values, cats, extras, region) -> None:
        rng = self.rng
        values["political_status"] = rng.choice(PARTIES)
        values["party_join_date"] = values["birth_date"] + timedelta(days=rng.randint(25, 45) * 365)
        if values["party_join_date"] > TODAY:
            values["party_join_date"] = TODAY - timedelta(days=rng.randrange(3650))
        if rng.random() < 0.5:
            cats.append(Category.INTELLECTUAL)
        self._as_default(values, cats, extras, region)

    def _as_non_party(self, values, cats, extras, region) -> None:
        values["political_status"] = PoliticalStatus.NON_PARTY
        values["non_party_date"] = TODAY - timedelta(days=self.rng.randrange(15 * 365))
        self._as_default(values, cats, extras, region)

    def _as_ethnic(self, values, cats, extras, region) -> None:
        rng = self.rng
        code = rng.choice(MINORITIES)
        values["ethnicity"] = code
        if code == "03" and rng.random() < 0.3:
            values["religion"] = Religion.ISLAM
        if rng.random() < 0.08:
            values["name"] = rng.choice(TRANSLITERATED)
            values["ethnicity"] = "05"

    def _as_religious(self, values, cats, extras, region) -> None:
        rng = self.rng
        religion = rng.choice(RELIGIONS)
        values["religion"] = religion
        if religion in (Religion.BUDDHISM, Religion.TAOISM) and rng.random() < 0.6:
            values["name"] = "释" + "".join(rng.sample(DHARMA_CHARS, 2))
        extras["religious"] = {
            "religion": religion,
            "clerical_post": rng.choice(CLERICAL[religion]),
            "venue": self._place(region) + VENUES[religion],
        }

    def _as_studied_abroad(self, values, cats, extras, region) -> None:
        values["education"] = self.rng.choice((Education.MASTER, Education.DOCTORATE))
        self._as_default(values, cats, extras, region)

    def _as_overseas(self, values, cats, extras, region, profile: str = "overseas") -> None:
        place = self.rng.choice(OVERSEAS_PLACES[profile])
        extras["overseas"] = {
            "ties": self.rng.choice(OVERSEAS_TIES) + place,
            "country_region": place,
        }

    def _as_hk_macao(self, values, cats, extras, region) -> None:
        self._as_overseas(values, cats, extras, region, "hk_macao")

    def _as_taiwan(self, values, cats, extras, region) -> None:
        self._as_overseas(values, cats, extras, region, "taiwan")

    def _extra_categories(self, cats: list) -> None:
        """A few persons are in a third category (1–3 in all)."""
        if len(cats) < 3 and self.rng.random() < 0.06:
            cats.append(self.rng.choice((Category.OTHER, Category.NEW_SOCIAL_STRATUM)))

    def _common(self, values: dict, region: str) -> None:
        rng = self.rng
        values.setdefault(
            "education", rng.choices([e for e, _w in EDUCATION], [w for _e, w in EDUCATION])[0]
        )
        values["professional_title"] = rng.choice(TITLES)
        values.setdefault("post", "")
        values["native_place"] = self.tree.counties.get(region[:6].ljust(12, "0"), "")
        values["address"] = self._place(region) + f"{rng.randint(1, 300)}号"
        values["work_start"] = values["birth_date"] + timedelta(days=rng.randint(18, 24) * 365)
        if values["work_start"] > TODAY:
            values["work_start"] = None

    def _representative(self, values: dict, extras: dict) -> None:
        rng = self.rng
        if rng.random() >= 0.05:
            if rng.random() < 0.005:  # a seat without being a listed 代表人士
                extras["arrangements"] = self._arrangements(RepresentativeLevel.TOWNSHIP)
            return
        level = rng.choices([lv for lv, _w in REP_LEVELS], [w for _l, w in REP_LEVELS])[0]
        values["is_representative"], values["representative_level"] = True, level
        if rng.random() < 0.7:
            extras["arrangements"] = self._arrangements(level)

    def _arrangements(self, top_level: str) -> list[dict]:
        return make_arrangements(self.rng, top_level, LEVEL_ORDER, one_share=0.8)

    def _status(self, values: dict, birth: date) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.04:
            status = PersonStatus.TRANSFERRED
        elif roll < 0.06 and birth.year < 1965:
            status = PersonStatus.DECEASED
        elif roll < 0.08:
            status = PersonStatus.WITHDRAWN
        else:
            return ""
        values["status"] = status
        values["status_date"] = date(2019, 1, 1) + timedelta(days=rng.randrange(6 * 365))
        return STATUS_REASONS[status]

    def _place(self, region: str) -> str:
        """A place-like word for unit names: the county's name without its suffix."""
        return self.tree.counties.get(region[:6].ljust(12, "0"), "模拟")[:2]

    # --- numbers

    def id_number(self, region: str, birth: date, gender: str) -> str:
        return make_id_number(self.rng, region, birth, gender, self.used_ids)

    def phone(self) -> str:
        rng = self.rng
        while True:
            number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def uscc(self, region: str) -> str:
        return make_uscc(self.rng, region)


def make_id_number(rng: random.Random, region: str, birth: date, gender: str, used: set) -> str:
    """A valid 18-character ID: the region's county, the birth date, an odd (男) or even
    (女) sequence, the GB 11643 check character; not one of `used` (added to it)."""
    head = region[:6] + birth.strftime("%Y%m%d")
    odd = gender == Gender.MALE
    while True:
        seq = rng.randrange(500) * 2 + (1 if odd else 0)
        body = f"{head}{seq:03d}"
        number = body + idcard.check_char(body)
        if number not in used:
            used.add(number)
            return number


def make_arrangements(
    rng: random.Random, top_level: str, levels: list[str], one_share: float
) -> list[dict]:
    """One 政治安排 (two in 1 − one_share of cases), each at `top_level` or a level below it
    in `levels` (lowest first), in a term of 2016, 2021 or 2022; the 2016 ones have ended."""
    rows = []
    for _ in range(1 if rng.random() < one_share else 2):
        level = rng.choice(levels[: levels.index(top_level) + 1])
        kind = rng.choice((ArrangementKind.NPC, ArrangementKind.CPPCC, ArrangementKind.OTHER))
        start = date(rng.choice((2016, 2021, 2022)), 1, 1) + timedelta(days=rng.randrange(60))
        rows.append(
            {
                "kind": kind,
                "level": level,
                "term": TERMS[level],
                "post": rng.choice(ARRANGEMENT_POSTS[kind]),
                "start": start,
                "end": start + timedelta(days=5 * 365) if start.year < 2020 else None,
            }
        )
    return rows


def make_uscc(rng: random.Random, region: str) -> str:
    """9 (市场监管) 1 (企业), the county, an 组织机构代码 with its GB 11714 check, the
    GB 32100 check character."""
    digits = f"{rng.randrange(10**8):08d}"
    org = digits + _org_check(digits)
    first17 = "91" + region[:6] + org
    return first17 + uscc.check_char(first17)


def _org_check(digits: str) -> str:
    """GB 11714 check character of an 8-character 组织机构代码 (digits only here)."""
    total = sum(int(d) * w for d, w in zip(digits, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def enterprise_scale(employees: int) -> str:
    if employees >= 1000:
        return EnterpriseScale.LARGE
    if employees >= 300:
        return EnterpriseScale.MEDIUM
    if employees >= 20:
        return EnterpriseScale.SMALL
    return EnterpriseScale.MICRO


# --- writing ------------------------------------------------------------------------------


@dataclass
class Progress:
    """What a run has written so far; passed to the progress callback after each chunk."""

    total: int
    persons: int = 0
    rows: int = 0  # every row written: persons and the rows that hang off them
    started: float = field(default_factory=time.monotonic)

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    @property
    def persons_per_second(self) -> float:
        return self.persons / self.seconds if self.seconds else 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class RawTable:
    """Plain INSERTs (COPY on PostgreSQL) for one model's rows given as dicts by attname.

    bulk_create spends ~330 µs per person preparing values field by field (measured at
    20,000 persons on this machine), twice the time of drawing the person; the values
    here are already what the columns hold, so they go to the driver as they are.
    Columns left out take the field's default, as the ORM would write it.
    """

    def __init__(self, model, *, with_pk: bool = False):
        self.model = model
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.attnames = [f.attname for f in fields]
        self.columns = [f.column for f in fields]
        self.defaults = {f.attname: f.get_default() for f in fields}
        self.stamps = [f.attname for f in fields if getattr(f, "auto_now_add", False)]
        self.stamps += [f.attname for f in fields if getattr(f, "auto_now", False)]

    def insert(self, rows: list[dict]) -> int:
        if not rows:
            return 0
        now = timezone.now()
        if connection.vendor != "postgresql":
            now = connection.ops.adapt_datetimefield_value(now)
        fixed = {**self.defaults, **dict.fromkeys(self.stamps, now)}
        tuples = [tuple(row.get(a, fixed[a]) for a in self.attnames) for row in rows]
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in tuples:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                # Names come from the model's metadata, values are parameters.
                sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, tuples)
        return len(tuples)


@functools.cache
def _tables() -> dict:
    models = (PersonCategory, PersonSearchKey, NonPublicProfile, ReligiousProfile)
    models += (OverseasProfile, PoliticalArrangement, StatusChange)
    tables = {model: RawTable(model) for model in models}
    tables[Person] = RawTable(Person, with_pk=True)
    return tables


def allocate_person_ids(count: int) -> list[int]:
    """Ids for persons about to be inserted: taken from PostgreSQL's sequence, or after
    the highest id SQLite has handed out (the write lock is held since BEGIN IMMEDIATE)."""
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT MAX(n) FROM (SELECT MAX(id) AS n FROM {table} UNION ALL "  # noqa: S608
            "SELECT seq FROM sqlite_sequence WHERE name = %s)",
            [table],
        )
        start = (cursor.fetchone()[0] or 0) + 1
    return list(range(start, start + count))


def write_chunk(drafts: list[Draft]) -> int:
    """Persons and every row hanging off them, in one transaction; returns rows written."""
    tables = _tables()
    with transaction.atomic():
        ids = allocate_person_ids(len(drafts))
        for draft, pk in zip(drafts, ids, strict=True):
            draft.values["id"] = pk
            draft.values["category_bits"] = category_bits(draft.categories)
        written = tables[Person].insert([d.values for d in drafts])
        children: dict = {model: [] for model in tables}
        for draft in drafts:
            for model, row in _children(draft):
                children[model].append(row)
        for model, rows in children.items():
            written += tables[model].insert(rows)
    return written


def _children(d: Draft) -> Iterator[tuple[type, dict]]:
    pid, region = d.values["id"], d.values["region_id"]
    for code in d.categories:
        yield PersonCategory, {"person_id": pid, "category": code}
    # The rows search.search_keys makes (the region copied onto each key).
    for kind, keys in (("p", d.keys.pinyin_full), ("i", d.keys.initials)):
        for key in sorted(keys):
            yield (
                PersonSearchKey,
                {"person_id": pid, "kind": kind, "key": key, "region_code": region},
            )
    for model, row in (
        (NonPublicProfile, d.non_public),
        (ReligiousProfile, d.religious),
        (OverseasProfile, d.overseas),
    ):
        if row:
            yield model, {"person_id": pid, **row}
    for row in d.arrangements:
        yield PoliticalArrangement, {"person_id": pid, **row}
    if d.status_reason:
        yield (
            StatusChange,
            {
                "person_id": pid,
                "old_status": PersonStatus.ACTIVE,
                "new_status": d.values["status"],
                "date": d.values["status_date"],
                "reason": d.status_reason,
            },
        )


def generate(
    persons: int,
    *,
    seed: int = 1,
    province: str = DEFAULT_PROVINCE,
    chunk: int = DEFAULT_CHUNK,
    shape: TreeShape | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> tuple[RegionTree, Progress]:
    """Write `persons` synthetic persons under `province` (building a synthetic region
    tree there first when it has few regions)."""
    rng = random.Random(seed)
    tree = ensure_region_tree(province, rng, shape or TreeShape())
    factory = PersonFactory(tree, seed)
    state = Progress(total=persons)
    places = factory.plan_places(persons)
    with _bulk_load():
        for start in range(0, persons, chunk):
            drafts = [factory.draft(place) for place in places[start : start + chunk]]
            state.rows += write_chunk(drafts)
            state.persons += len(drafts)
            if progress:
                progress(state)
    return tree, state


@contextlib.contextmanager
def _bulk_load():
    """SQLite's default page cache (2,000 pages) makes every index insert a disk read
    once the tables outgrow it: from ~300,000 persons the rate fell below 700/s. Give
    this connection a bigger cache while it loads; ANALYZE afterwards, as after any bulk
    load, so that the planner knows the tables' sizes (without statistics SQLite picked
    the birth_date index over the region range for the filtered list)."""
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            before = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if sqlite:
                cursor.execute(f"PRAGMA cache_size = {int(before)}")
            cursor.execute("ANALYZE")
