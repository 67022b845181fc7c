"""A list whose filters match nothing says so, and keeps its counts and pages: an empty
page is falsy in a template, and the lists took it for the page that invalid filters
leave out ("请先修正上面的筛选条件" for a search that simply found no one)."""

import pytest
from django.urls import reverse

CASES = [
    ("people:list", {"q": "zzzzzz"}, "没有符合条件的统战对象。"),
    ("orgs:list", {"q": "没有这个组织"}, "没有符合条件的组织。"),
    ("engagement:request_list", {"q": "没有这件事"}, "没有符合条件的诉求。"),
    (
        "engagement:contact_list",
        {"date_from": "2001-01-01", "date_to": "2001-01-02"},
        "没有符合条件的联系记录。",
    ),
    ("engagement:pairing_list", {"region": "330599201201"}, "没有符合条件的结对。"),
]


@pytest.mark.parametrize(("name", "params", "empty"), CASES, ids=[c[0] for c in CASES])
def test_a_search_that_finds_nothing_says_so(world, as_persona, name, params, empty):
    body = as_persona("county_staff").get(reverse(name), params).content.decode()
    assert empty in body
    assert "请先修正上面的筛选条件" not in body


def test_the_person_list_keeps_its_category_bar_and_total_when_empty(world, as_persona):
    client = as_persona("county_staff")
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        body = client.get(reverse("people:list"), {"q": "zzzzzz"}, **headers).content.decode()
        assert 'data-testid="category-counts"' in body and "共 0 人" in body
