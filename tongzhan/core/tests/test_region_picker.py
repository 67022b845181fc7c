"""List filters offer the regions of the user's scope as a drop-down."""

from django import forms

from tongzhan.core.forms import offer_regions
from tongzhan.testing import TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1


def drawn(user, value=""):
    field = forms.CharField(required=False)
    offer_regions(field, user)
    return field.widget.render("region", value)


def test_a_township_member_is_offered_its_township_and_its_villages_only(world):
    html = drawn(world.user("township_a"), VILLAGE_A1)
    assert html.startswith("<select")
    assert f'value="{TOWNSHIP_A}"' in html and f'value="{VILLAGE_A1}" selected' in html
    assert VILLAGE_B1 not in html


def test_villages_are_indented_under_their_township(world):
    html = drawn(world.user("township_a"))
    assert html.split(f'value="{VILLAGE_A1}">')[1].startswith("\u3000")
    assert not html.split(f'value="{TOWNSHIP_A}">')[1].startswith("\u3000")


def test_a_user_with_no_scope_keeps_the_code_box(world):
    assert drawn(world.user("auditor")).startswith("<input")


def test_a_scope_wider_than_the_limit_keeps_the_code_box(world, monkeypatch):
    monkeypatch.setattr("tongzhan.core.forms.REGION_PICKER_LIMIT", 3)
    html = drawn(world.user("county_staff"), VILLAGE_A1)
    assert html.startswith("<input") and f'value="{VILLAGE_A1}"' in html


def test_nothing_is_read_until_the_widget_is_drawn(world, django_assert_num_queries):
    field = forms.CharField(required=False)
    with django_assert_num_queries(0):
        offer_regions(field, world.user("township_a"))
