"""List filters offer the regions of the user's scope as a drop-down."""

from django import forms

from tongzhan.core.forms import offer_regions
from tongzhan.testing import TOWNSHIP_A, VILLAGE_A1


def picker(user):
    field = forms.CharField(required=False)
    offer_regions(field, user)
    return field


def test_a_township_member_is_offered_its_township_and_its_villages_only(world):
    field = picker(world.user("township_a"))
    codes = [code for code, _label in field.widget.choices]
    assert codes[0] == "" and codes[1] == TOWNSHIP_A and VILLAGE_A1 in codes
    assert all(code.startswith(TOWNSHIP_A[:9]) for code in codes[1:])


def test_villages_are_indented_under_their_township(world):
    labels = dict(picker(world.user("township_a")).widget.choices)
    assert not labels[TOWNSHIP_A].startswith("\u3000")
    assert labels[VILLAGE_A1].startswith("\u3000")


def test_a_user_with_no_scope_keeps_the_code_box(world):
    assert isinstance(picker(world.user("auditor")).widget, forms.TextInput)


def test_a_scope_wider_than_the_limit_keeps_the_code_box(world, monkeypatch):
    monkeypatch.setattr("tongzhan.core.forms.REGION_PICKER_LIMIT", 3)
    assert isinstance(picker(world.user("county_staff")).widget, forms.TextInput)
