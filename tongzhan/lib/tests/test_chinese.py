"""Chinese text: half-width, 繁简, and the name keys that search finds a person by."""

import pytest
from pypinyin import Style, pinyin

from tongzhan.lib import chinese
from tongzhan.lib.chinese import name_keys, query_keys
from tongzhan.lib.surnames import COMPOUND_SURNAMES, SURNAMES


def test_full_width_ascii_and_the_ideographic_space_become_half_width():
    assert chinese.to_halfwidth("ＡＢＣ　１２３，ｘ") == "ABC 123,x"
    assert chinese.to_halfwidth("张三（男）") == "张三(男)"


def test_clean_collapses_whitespace_and_drops_invisible_characters():
    assert chinese.clean("  张\u3000三\u200b \n\t李\ufeff四  ") == "张 三 李四"
    assert chinese.clean(None) == ""
    assert chinese.clean(12) == "12"


def test_traditional_names_become_simplified():
    assert chinese.to_simplified("張三 單田芳 歐陽修 尉遲恭") == "张三 单田芳 欧阳修 尉迟恭"
    assert chinese.to_simplified("") == ""


def test_conversion_never_rewrites_words_the_way_the_taiwan_phrase_table_does():
    # s2twp would give 物件, 軟體, 資訊: other words, not other characters.
    assert chinese.to_traditional("统战对象") == "統戰對象"
    assert chinese.to_traditional("软件 信息") == "軟件 信息"
    assert chinese.to_simplified("統戰對象") == "统战对象"
    assert chinese.to_simplified("统战对象") == "统战对象"


def test_a_name_padded_to_line_up_in_a_ledger_loses_its_padding():
    assert chinese.clean_name("张\u3000三") == "张三"
    assert chinese.clean_name(" 張 三 ") == "张三"
    assert chinese.clean_name("阿不都•热合曼") == "阿不都·热合曼"
    assert chinese.clean_name("Mary  Smith") == "Mary Smith"


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("单田芳", "shantianfang", "stf"),
        ("曾国藩", "zengguofan", "zgf"),
        ("解缙", "xiejin", "xj"),
        ("仇英", "qiuying", "qy"),
        ("区家麟", "oujialin", "ojl"),
        ("查良镛", "zhaliangyong", "zly"),
        ("朴树", "piaoshu", "ps"),
        ("缪斯", "miaosi", "ms"),
        ("盖叫天", "gejiaotian", "gjt"),
        ("覃振", "qinzhen", "qz"),
        ("乐毅", "yueyi", "yy"),
        ("秘书", "bishu", "bs"),
        ("种师道", "chongshidao", "csd"),
        ("员半千", "yunbanqian", "ybq"),
        ("繁钦", "poqin", "pq"),
        ("句践", "goujian", "gj"),
        ("召忽", "shaohu", "sh"),
        ("那英", "naying", "ny"),
        ("任弼时", "renbishi", "rbs"),
        ("华佗", "huatuo", "ht"),
        ("纪昀", "jiyun", "jy"),
        ("翟志刚", "zhaizhigang", "zzg"),
        ("过秀", "guoxiu", "gx"),
        ("宁静", "ningjing", "nj"),
        ("折克行", "shekexing", "skx"),
        ("洗星海", "xianxinghai", "xxh"),
        ("尉缭", "weiliao", "wl"),
        ("长青", "changqing", "cq"),
        ("薄一波", "boyibo", "byb"),
        ("尉迟恭", "yuchigong", "ycg"),
        ("万俟卨", "moqixie", "mqx"),
        ("长孙无忌", "zhangsunwuji", "zswj"),
        ("令狐冲", "linghuchong", "lhc"),
        ("欧阳修", "ouyangxiu", "oyx"),
        ("上官婉儿", "shangguanwaner", "sgwe"),
        ("司马光", "simaguang", "smg"),
        ("诸葛亮", "zhugeliang", "zgl"),
        ("皇甫谧", "huangfumi", "hfm"),
        ("东方朔", "dongfangshuo", "dfs"),
        ("单于红", "chanyuhong", "cyh"),
        ("澹台灭明", "tantaimieming", "ttmm"),
    ],
)
def test_surnames_are_read_as_surnames(name, full, initials):
    keys = name_keys(name)
    assert keys.simplified == name
    assert full in keys.pinyin_full
    assert initials in keys.initials


@pytest.mark.parametrize(
    ("name", "misreading"),
    [
        ("单田芳", "dantianfang"),
        ("曾国藩", "cengguofan"),
        ("解缙", "jiejin"),
        ("仇英", "chouying"),
        ("区家麟", "qujialin"),
        ("查良镛", "chaliangyong"),
        ("朴树", "pushu"),
        ("缪斯", "mousi"),
        ("覃振", "yanzhen"),
        ("长青", "zhangqing"),
        ("薄一波", "baoyibo"),
    ],
)
def test_the_common_reading_of_a_surname_character_is_not_indexed(name, misreading):
    assert misreading not in name_keys(name).pinyin_full


@pytest.mark.parametrize(
    ("name", "readings"),
    [
        ("乐天", {"yuetian", "letian"}),  # 乐 is a surname both ways
        ("翟志刚", {"zhaizhigang", "dizhigang"}),
        ("尉缭", {"weiliao", "yuliao"}),
    ],
)
def test_a_surname_with_two_real_readings_keeps_both(name, readings):
    assert readings <= name_keys(name).pinyin_full


def test_a_single_surname_reading_is_kept_for_a_compound_surname_too():
    # 单于红 may be 单于 + 红 or 单 + 于红: both must find her.
    assert {"chanyuhong", "shanyuhong"} <= name_keys("单于红").pinyin_full


@pytest.mark.parametrize(
    ("name", "readings", "initials"),
    [
        ("张乐", {"zhangle", "zhangyue"}, {"zl", "zy"}),
        ("李曾", {"lizeng", "liceng"}, {"lz", "lc"}),
        ("王长发", {"wangchangfa", "wangzhangfa"}, {"wcf", "wzf"}),
        ("刘行", {"liuxing", "liuhang"}, {"lx", "lh"}),
    ],
)
def test_a_heteronym_in_the_given_name_is_indexed_under_every_reading(name, readings, initials):
    keys = name_keys(name)
    assert readings <= keys.pinyin_full
    assert initials <= keys.initials


def test_initials_follow_every_reading_of_a_heteronym():
    assert name_keys("张乐").initials == {"zl", "zy"}


@pytest.mark.parametrize(
    "name",
    [
        "张三",
        "单田芳",
        "欧阳修",
        "尉迟恭",
        "长孙无忌",
        "万俟卨",
        "区家麟",
        "钟国华",
        "冯骥才",
        "叶圣陶",
    ],
)
def test_a_name_in_traditional_characters_has_the_same_keys_as_in_simplified(name):
    traditional = chinese.to_traditional(name)
    assert name_keys(traditional) == name_keys(name)


def test_traditional_examples_read_correctly():
    assert name_keys("張三").pinyin_full == {"zhangsan"}
    assert name_keys("單田芳").pinyin_full == {"shantianfang"}
    assert name_keys("單田芳").simplified == "单田芳"


def test_the_number_of_readings_is_bounded_for_names_full_of_heteronyms():
    keys = name_keys("那那那那那那")
    assert 1 < len(keys.pinyin_full) <= chinese.MAX_READINGS
    assert "nananananana" in keys.pinyin_full  # every character keeps its main reading


def test_transliterated_names_drop_the_dot_and_latin_runs_count_as_one_syllable():
    assert "abudureheman" in name_keys("阿不都·热合曼").pinyin_full
    keys = name_keys("Mary张")
    assert keys.pinyin_full == {"maryzhang"} and keys.initials == {"mz"}


def test_u_umlaut_is_written_v_as_pinyin_keyboards_type_it():
    assert name_keys("吕布").pinyin_full == {"lvbu"}
    assert query_keys("Lü Bu").pinyin == "lvbu"
    assert query_keys("lu:bu").pinyin == "lvbu"


def test_a_character_without_a_reading_adds_no_syllable():
    assert name_keys("张㐂").pinyin_full == {"zhang"}


def test_an_empty_name_has_no_keys():
    assert name_keys("") == chinese.NameKeys("", frozenset(), frozenset())
    assert name_keys(None).pinyin_full == frozenset()


def test_every_surname_reading_is_a_reading_pypinyin_knows_or_a_listed_exception():
    # 黑 hè and 谌 shèn are surname readings pypinyin lacks; anything else is a typo.
    exceptions = {("黑", "he"), ("谌", "shen")}
    for char, readings in SURNAMES.items():
        known = pinyin(char, style=Style.NORMAL, heteronym=True)[0]
        for reading in readings:
            assert reading in known or (char, reading) in exceptions, (char, reading)


def test_every_compound_surname_reading_is_made_of_readings_of_its_characters():
    for surname, readings in COMPOUND_SURNAMES.items():
        assert len(surname) == 2
        for reading in readings:
            for char, syllable in zip(surname, reading, strict=True):
                assert syllable in pinyin(char, style=Style.NORMAL, heteronym=True)[0]


@pytest.mark.parametrize(
    ("text", "kind", "field", "value"),
    [
        ("11010519491231002x", "id_number", "id_number", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "id_number", "id_number", "11010519491231002X"),
        ("110105 19491231 002X", "id_number", "id_number", "11010519491231002X"),
        ("110105491231002", "id_number", "id_number", "11010519491231002X"),
        ("110105194912310021", "id_number", "id_number", "110105194912310021"),
        ("91350100M000100Y43", "uscc", "uscc", "91350100M000100Y43"),
        ("112302070019030687", "uscc", "uscc", "112302070019030687"),
        ("13812345678", "phone", "phone", "13812345678"),
        ("+86 138-1234-5678", "phone", "phone", "13812345678"),
        ("(0571) 8888 8888", "phone", "phone", "057188888888"),
        ("8888888", "phone", "phone", "8888888"),
        ("zhang san", "pinyin", "pinyin", "zhangsan"),
        ("ZS", "pinyin", "pinyin", "zs"),
        ("xi'an", "pinyin", "pinyin", "xian"),
        ("張　三", "chinese", "simplified", "张三"),
        ("单田芳", "chinese", "simplified", "单田芳"),
        ("ABC科技有限公司", "chinese", "simplified", "ABC科技有限公司"),
        ("123456", "text", "simplified", "123456"),
        ("abc123", "text", "simplified", "abc123"),
    ],
)
def test_search_box_text_is_classified_and_normalised(text, kind, field, value):
    keys = query_keys(text)
    assert keys.kind == kind
    assert getattr(keys, field) == value


def test_an_empty_search_box_is_empty():
    assert query_keys("  \u3000 ").kind == "empty"
    assert query_keys(None).kind == "empty"


def test_a_15_digit_number_with_no_valid_date_is_not_an_id_number():
    assert query_keys("110105491331002").kind == "text"
