"""The UI switches between Simplified Chinese, Traditional Chinese and English (docs/i18n.md)."""

import importlib.util
import re
from datetime import date

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tongzhan.core.choices import Category, PersonStatus

LOCALE = settings.BASE_DIR / "locale"
CATALOGS = {lang: LOCALE / lang / "LC_MESSAGES" / "django.po" for lang in ("en", "zh_Hant")}
PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[sdfr]|%%|%[sd]")
CJK = re.compile(r"[\u3400-\u9fff]")
# Labels every logged-in page carries (navigation, user menu, footer) in Simplified Chinese.
SIMPLIFIED_LABELS = [
    "首页",
    "统战对象",
    "统计汇总",
    "退出登录",
    "修改密码",
    "用户菜单",
    "统战工作管理平台",
]


def catalog(lang: str) -> polib.POFile:
    return polib.pofile(str(CATALOGS[lang]))


def translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def load_i18n_script():
    spec = importlib.util.spec_from_file_location(
        "i18n_script", settings.BASE_DIR.parent / "scripts" / "i18n.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lang", ["en", "zh_Hant"])
def test_every_catalog_entry_is_translated_and_none_is_fuzzy(lang):
    po = catalog(lang)
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{lang}: run scripts/i18n.py and translate: {untranslated}"
    assert not fuzzy, f"{lang}: fuzzy entries are not used at run time: {fuzzy}"
    assert not po.metadata_is_fuzzy
    assert len(po) > 100


def test_the_english_plural_entries_have_both_forms():
    plurals = [e for e in catalog("en") if e.msgid_plural]
    assert plurals
    for entry in plurals:
        assert set(entry.msgstr_plural) == {0, 1} and all(entry.msgstr_plural.values()), entry.msgid


@pytest.mark.parametrize("lang", ["en", "zh_Hant"])
def test_translations_keep_every_placeholder_of_the_msgid(lang):
    wrong = [
        (e.msgid, text)
        for e in catalog(lang)
        for text in translations(e)
        if sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(text))
    ]
    assert not wrong


def test_the_english_catalog_contains_no_chinese_except_the_csv_header_names():
    # The region import accepts 区划代码/名称 as column names, so that message must name them.
    chinese = [e.msgid for e in catalog("en") for text in translations(e) if CJK.search(text)]
    assert chinese == ["表头须包含“区划代码”和“名称”两列"]


def test_the_traditional_and_english_catalogs_hold_the_same_msgids():
    assert {e.msgid for e in catalog("zh_Hant")} == {e.msgid for e in catalog("en")}


def test_the_traditional_catalog_is_opencc_s2t_of_each_msgid_with_the_overrides():
    # Never s2twp: it rewrites vocabulary (统战对象 would become 統戰物件).
    script = load_i18n_script()
    converter = script.opencc.OpenCC("s2t")
    stale = [
        e.msgid
        for e in catalog("zh_Hant")
        if translations(e) != [script.to_traditional(converter, e.msgid)]
    ]
    assert not stale, f"run scripts/i18n.py: {stale[:5]}"
    assert "統戰對象" in {e.msgstr for e in catalog("zh_Hant")}


def test_the_s2t_overrides_replace_only_the_obsolete_variant_characters():
    script = load_i18n_script()
    converter = script.opencc.OpenCC("s2t")
    assert script.to_traditional(converter, "群众伪造为此核对") == "群眾偽造為此核對"
    assert script.to_traditional(converter, "统战对象平台账户") == "統戰對象平臺賬戶"


@pytest.mark.parametrize("lang,code", [("en", "en"), ("zh_Hant", "zh-hant")])
def test_the_compiled_catalogs_match_the_po_files(lang, code):
    """The .mo files are built by `make messages`; a stale one shows old text."""
    mismatched = []
    with translation.override(code):
        for entry in catalog(lang):
            if entry.msgid_plural:
                got = [translation.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
                want = [
                    entry.msgstr_plural[0],
                    entry.msgstr_plural[min(1, len(entry.msgstr_plural) - 1)],
                ]
            else:
                got, want = translation.gettext(entry.msgid), entry.msgstr
            if got != want:
                mismatched.append(entry.msgid)
    assert not mismatched, f"run `make messages`: {mismatched[:5]}"


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["cookie", "accept-language"])
def test_the_login_page_is_english_when_english_is_asked_for(client, how):
    if how == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.get(reverse("accounts:login"))
    else:
        response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Log in" in html and "United Front Work Management Platform" in html
    assert "登录" not in html and "统战工作管理平台" not in html


@pytest.mark.django_db
def test_the_login_page_is_traditional_chinese_with_the_zh_hant_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="zh-hant">' in html
    assert "登錄" in html and "統戰工作管理平臺" in html
    assert "登录" not in html and "统战工作管理平台" not in html


@pytest.mark.django_db
def test_the_login_page_is_simplified_chinese_by_default(client):
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "Log in" not in html


def test_the_language_menu_switches_the_next_page_to_english(world, as_persona):
    client = as_persona("township_a")
    home = reverse("dashboard:home")
    response = client.post(reverse("set_language"), {"language": "en", "next": home})
    assert (
        response.status_code == 302
        and response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    )
    html = client.get(home).content.decode()
    assert '<html lang="en">' in html and ">Home<" in html


def main_nav(html: str) -> str:
    match = re.search(r'<ul class="navbar-nav" data-testid="main-nav">(.*?)</ul>', html, re.S)
    assert match, "the page has no main navigation"
    return match.group(1)


def test_a_logged_in_page_in_english_shows_no_simplified_chinese_labels(world, as_persona):
    client = as_persona("township_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("dashboard:home")).content.decode()
    nav = main_nav(html)
    assert "Home" in nav and "Persons" in nav
    assert not CJK.search(nav), nav
    assert [label for label in SIMPLIFIED_LABELS if label in html] == []
    assert "Log out" in html and "Change password" in html


def test_a_logged_in_page_in_traditional_chinese_shows_traditional_navigation(world, as_persona):
    client = as_persona("township_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    html = client.get(reverse("dashboard:home")).content.decode()
    nav = main_nav(html)
    assert "首頁" in nav and "統戰對象" in nav
    assert [label for label in SIMPLIFIED_LABELS if label in html] == []


def test_the_person_detail_page_in_english_punctuates_and_names_the_data_in_english(
    world, as_persona
):
    person = world.person_a1  # 张青山 in 青山村, a 非公有制经济人士
    person.ethnicity, person.status = "05", PersonStatus.TRANSFERRED
    person.status_date = date(2026, 3, 1)
    person.save()
    person.set_categories([*person.category_codes(), Category.NEW_SOCIAL_STRATUM])
    client = as_persona("township_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    fields = re.search(r'data-testid="person-fields">(.*?)</dl>', html, re.S).group(1)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fields))
    assert "Region 青山村 (330599101201)" in text
    assert "Status Transferred out (2026-03-01)" in text
    assert "Private-sector figures, People from new social groups" in text
    assert "Ethnic group Uygur" in text
    # Only the data (the person's and the village's names) is left in Chinese.
    assert CJK.findall(text.replace("张青山", "").replace("青山村", "")) == []
    assert not re.search("[（）、：]", text), text
