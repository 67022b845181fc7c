"""Organisation pages: the form's checks in Chinese, the list's filters and counts, members
seen through the scope rule, the person page's block, the export."""

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tongzhan.audit.models import AuditAction, AuditEntry
from tongzhan.orgs.models import Membership, Organisation
from tongzhan.testing import COMMUNITY_A2, VILLAGE_A1, VILLAGE_B1

from .helpers import make_org, valid_uscc


def form_data(**extra):
    values = {
        "name": "青山竹木制品有限公司",
        "org_type": "enterprise",
        "region": VILLAGE_A1,
        "active": "on",
    }
    values.update(extra)
    return values


def post_new(client, **extra):
    return client.post(reverse("orgs:create"), form_data(**extra))


def test_a_township_member_creates_an_enterprise_with_a_valid_uscc(as_persona):
    code = valid_uscc()
    response = post_new(as_persona("township_a"), uscc=code.lower())
    org = Organisation.objects.get()
    assert response.status_code == 302 and response.url == reverse("orgs:detail", args=[org.pk])
    assert org.uscc == code  # normalised to upper case


def test_a_uscc_with_a_wrong_check_character_is_refused_with_the_reason(as_persona):
    code = valid_uscc()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = post_new(as_persona("township_a"), uscc=wrong)
    assert response.status_code == 200
    assert "校验码错误" in response.content.decode()
    assert not Organisation.objects.exists()


def test_a_venue_needs_a_religion_and_a_certificate_letter_that_matches_it(as_persona):
    client = as_persona("township_a")
    response = post_new(
        client,
        org_type="religious_venue",
        region=COMMUNITY_A2,
        venue_certificate="宗场证字（浙）D330990001",
        religion="F",
    )
    assert "与场所的宗教（佛教）不符" in response.content.decode()
    response = post_new(client, org_type="religious_venue", region=COMMUNITY_A2)
    assert "宗教活动场所请选择宗教" in response.content.decode()
    assert not Organisation.objects.exists()
    response = post_new(
        client,
        org_type="religious_venue",
        region=COMMUNITY_A2,
        venue_certificate="宗场证字（浙）f330990001",
        religion="F",
    )
    assert response.status_code == 302
    assert Organisation.objects.get().venue_certificate == "宗场证字(浙)F330990001"


def test_a_chamber_needs_its_kind(as_persona):
    response = post_new(as_persona("township_a"), org_type="chamber")
    assert "商会请选择类别" in response.content.decode()


def test_a_line_contact_is_offered_only_the_types_of_its_lines(as_persona):
    response = as_persona("unit_contact").get(reverse("orgs:create"))
    choices = [v for v, _l in response.context["form"].fields["org_type"].choices]
    assert "chamber" in choices and "religious_venue" not in choices
    refused = post_new(as_persona("unit_contact"), org_type="religious_venue", religion="F")
    assert "不在您负责的条线内" in refused.content.decode()


def test_the_leader_choices_are_the_persons_the_user_can_see(world, as_persona):
    form = as_persona("township_a").get(reverse("orgs:create")).context["form"]
    leaders = set(form.fields["leader"].queryset.values_list("pk", flat=True))
    assert world.person_a1.pk in leaders and world.person_b1.pk not in leaders
    response = post_new(as_persona("township_a"), leader=world.person_b1.pk)
    assert "不在您的查看范围内" in response.content.decode()


def test_a_stale_edit_is_refused_and_the_other_save_is_kept(as_persona):
    org = make_org()
    client = as_persona("township_a")
    url = reverse("orgs:edit", args=[org.pk])
    assert client.post(url, form_data(name="甲改", version=1)).status_code == 302
    response = client.post(url, form_data(name="乙改", version=1))
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    org.refresh_from_db()
    assert org.name == "甲改"


def test_the_edit_form_refuses_a_child_as_parent(as_persona):
    top = make_org("青山商会", "chamber", chamber_kind="area")
    child = make_org("竹木分会", "chamber", chamber_kind="trade", parent=top)
    response = as_persona("township_a").post(
        reverse("orgs:edit", args=[top.pk]),
        form_data(
            name="青山商会", org_type="chamber", chamber_kind="area", parent=child.pk, version=1
        ),
    )
    assert "不能是本组织或其下级组织" in response.content.decode()


# --- the list -----------------------------------------------------------------------------------


@pytest.fixture
def orgs(world):
    return [
        make_org("青山竹木制品有限公司", uscc=valid_uscc()),
        make_org("青山商会", "chamber", chamber_kind="area"),
        make_org(
            "溪口禅寺",
            "religious_venue",
            COMMUNITY_A2,
            religion="F",
            venue_certificate="宗场证字(浙)F330990001",
        ),
        make_org("白石茶厂", region=VILLAGE_B1, active=False),
    ]


def listed(response) -> list[str]:
    return [o.name for o in response.context["page"]]


def test_the_list_counts_each_type_in_scope_and_filters_by_type(orgs, as_persona):
    client = as_persona("township_a")
    response = client.get(reverse("orgs:list"))
    counts = {c.code: c.count for c in response.context["results"].counts}
    assert counts["enterprise"] == 1 and counts["chamber"] == 1
    assert counts["religious_venue"] == 1 and response.context["results"].total == 3
    chambers = client.get(reverse("orgs:list"), {"org_type": "chamber"})
    assert listed(chambers) == ["青山商会"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "禅寺"}, ["溪口禅寺"]),
        ({"q": "f330990001"}, ["溪口禅寺"]),
        ({"q": "（浙）F33099"}, ["溪口禅寺"]),
        ({"region": COMMUNITY_A2}, ["溪口禅寺"]),
        ({"active": "0"}, ["白石茶厂"]),
        ({"sort": "name", "q": "青山"}, ["青山商会", "青山竹木制品有限公司"]),
    ],
)
def test_the_list_searches_names_and_registration_numbers(orgs, as_persona, params, expected):
    response = as_persona("county_staff").get(reverse("orgs:list"), params)
    assert sorted(listed(response)) == sorted(expected)


def test_the_list_finds_an_organisation_by_its_uscc(orgs, as_persona):
    response = as_persona("county_staff").get(reverse("orgs:list"), {"q": orgs[0].uscc[:10]})
    assert listed(response) == ["青山竹木制品有限公司"]


def test_a_bad_region_filter_is_a_field_error_not_a_500(as_persona, world):
    response = as_persona("county_staff").get(reverse("orgs:list"), {"region": "12"})
    assert response.status_code == 200 and response.context["page"] is None
    assert "12 位" in response.content.decode()


def test_the_list_page_costs_a_bounded_number_of_queries(
    world, as_persona, django_assert_max_num_queries
):
    parent = make_org("县工商联", "federation", region="330599000000")
    for n in range(60):
        org = make_org(f"企业{n:02d}", parent=parent, leader=world.person_a1)
        Membership.objects.create(organisation=org, person=world.person_a1)
    client = as_persona("county_staff")
    client.get(reverse("orgs:list"))  # session, user and assignments warmed up
    with django_assert_max_num_queries(10):
        response = client.get(reverse("orgs:list"), {"page": 2})
    assert len(response.context["page"]) == 11


# --- detail and the person page -----------------------------------------------------------------


def test_the_detail_lists_visible_members_and_counts_the_hidden_ones(world, as_persona):
    chamber = make_org("清溪县新材料商会", "chamber", "330599000000", chamber_kind="trade")
    Membership.objects.create(organisation=chamber, person=world.person_a1, role="会长")
    Membership.objects.create(organisation=chamber, person=world.person_b1, role="会员")
    response = as_persona("unit_contact").get(reverse("orgs:detail", args=[chamber.pk]))
    assert {m.person.name for m in response.context["current"]} == {"张青山", "李白石"}
    staff = as_persona("county_staff").get(reverse("orgs:detail", args=[chamber.pk]))
    assert staff.context["hidden_members"] == 0
    other = make_org("青山商会", "chamber", chamber_kind="area")
    Membership.objects.create(organisation=other, person=world.person_a1)
    Membership.objects.create(organisation=other, person=world.person_a2)
    page = as_persona("unit_contact").get(reverse("orgs:detail", args=[other.pk]))
    assert [m.person.name for m in page.context["current"]] == ["张青山"]
    assert page.context["hidden_members"] == 1  # the 宗教界 person is not the contact's line
    assert "释明心" not in page.content.decode()


def test_the_person_page_lists_only_the_organisations_the_viewer_sees(world, as_persona):
    firm = make_org("青山竹木制品有限公司")
    venue = make_org("溪口禅寺", "religious_venue", COMMUNITY_A2, religion="F")
    Membership.objects.create(organisation=firm, person=world.person_a1, role="董事长")
    Membership.objects.create(organisation=venue, person=world.person_a1, role="居士")
    url = reverse("people:detail", args=[world.person_a1.pk])
    township = as_persona("township_a").get(url).content.decode()
    assert "青山竹木制品有限公司" in township and "溪口禅寺" in township
    contact = as_persona("unit_contact").get(url).content.decode()
    assert "青山竹木制品有限公司" in contact and "溪口禅寺" not in contact


def test_a_membership_for_a_person_out_of_view_scope_answers_404(world, as_persona):
    org = make_org()
    response = as_persona("township_a").post(
        reverse("orgs:membership_add", args=[org.pk]), {"person": world.person_b1.pk}
    )
    assert response.status_code == 404 and not Membership.objects.exists()


def test_deleting_an_organisation_with_children_shows_why(as_persona):
    parent = make_org("青山商会", "chamber", chamber_kind="area")
    make_org("竹木分会", "chamber", chamber_kind="trade", parent=parent)
    response = as_persona("township_a").post(reverse("orgs:delete", args=[parent.pk]))
    assert response.status_code == 200 and "下级组织" in response.content.decode()


# --- export --------------------------------------------------------------------------------------


def test_the_export_is_the_filtered_list_as_a_ledger_with_an_audit_row(orgs, as_persona):
    response = as_persona("township_a").get(reverse("orgs:export"), {"org_type": "religious_venue"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert "组织名册" in rows[0][0]
    header = rows[2]
    assert "名称" in header and "所属区域" in header  # the group header over 乡镇 / 村
    assert [r[1] for r in rows[4:] if r[1] and r[1] != ""][:1] == ["溪口禅寺"]
    assert any("导出人" in str(cell) for row in rows[-2:] for cell in row)
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).get()
    assert '"rows":1' in entry.detail and "religious_venue" in entry.detail


# --- the person picker ---------------------------------------------------------------------------


def test_the_person_picker_finds_by_pinyin_initials_only_within_the_view_scope(world, as_persona):
    url = reverse("orgs:person_options")
    township = as_persona("township_a").get(url, {"q": "zqs"}).content.decode()
    assert f'value="{world.person_a1.pk}"' in township and "张青山 · 青山村" in township
    other = as_persona("township_b").get(url, {"q": "zqs"}).content.decode()
    assert f'value="{world.person_a1.pk}"' not in other and "没有找到" in other
    assert "李白石" in as_persona("township_b").get(url, {"q": "李"}).content.decode()


def test_the_membership_form_offers_the_organisations_area_and_accepts_any_visible_person(
    world, as_persona
):
    org = make_org()
    client = as_persona("county_staff")
    form = client.get(reverse("orgs:membership_add", args=[org.pk])).context["form"]
    offered = {value for value, _label in form.fields["person"].choices if value}
    assert world.person_a1.pk in {int(str(v)) for v in offered}
    assert world.person_b1.pk not in {int(str(v)) for v in offered}  # another township
    # A person found with the search box (not among the suggestions) is accepted.
    response = client.post(
        reverse("orgs:membership_add", args=[org.pk]), {"person": world.person_b1.pk}
    )
    assert response.status_code == 302
    assert Membership.objects.get().person == world.person_b1


def test_an_editor_who_cannot_see_the_leader_or_parent_keeps_them(world, as_persona):
    federation = make_org("县工商联", "federation", region="330599000000")
    chamber = make_org(
        "青山商会", "chamber", chamber_kind="area", parent=federation, leader=world.person_b1
    )
    client = as_persona("township_a")
    form = client.get(reverse("orgs:edit", args=[chamber.pk])).context["form"]
    assert form.initial["leader"] == world.person_b1.pk
    response = client.post(
        reverse("orgs:edit", args=[chamber.pk]),
        form_data(
            name="青山商会",
            org_type="chamber",
            chamber_kind="area",
            parent=federation.pk,
            leader=world.person_b1.pk,
            address="青山村",
            version=1,
        ),
    )
    assert response.status_code == 302
    chamber.refresh_from_db()
    assert (chamber.parent, chamber.leader, chamber.address) == (
        federation,
        world.person_b1,
        "青山村",
    )
