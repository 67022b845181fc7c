"""The regions API: public reference data, readable by any signed-in user or token."""

from django.core.paginator import Paginator
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from tongzhan.lib import divisioncode

from .models import Region

router = Router(tags=["行政区划"])
PAGE_SIZE = 200


class RegionOut(Schema):
    code: str
    name: str
    level: int = Field(description="1 省级 · 2 市级 · 3 县级 · 4 乡级 · 5 村级")
    level_label: str
    kind: str = Field(description="街道/镇/乡、社区/村等，由代码推出")
    parent: str | None
    urban_rural: str = Field(description="城乡分类代码，可为空")
    urban_rural_label: str
    valid_year: int
    retired: bool
    retired_year: int | None


class RegionPage(Schema):
    count: int
    page: int
    pages: int
    items: list[RegionOut]


class RegionFilters(Schema):
    parent: str = Field("", description="上级区划代码；不给时列出顶级区划")
    level: int | None = Field(
        None, ge=1, le=5, description="只列出该级别；与 parent 同用时为其下属的该级区划"
    )
    include_retired: bool = Field(False, description="包括已撤销的区划")
    page: int = Field(1, ge=1)


class FieldErrors(Schema):
    detail: list[dict]


def to_out(region: Region) -> dict:
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "level_label": str(region.get_level_display()),
        "kind": str(region.kind),
        "parent": region.parent_id,
        "urban_rural": region.urban_rural,
        "urban_rural_label": str(region.get_urban_rural_display()) if region.urban_rural else "",
        "valid_year": region.valid_year,
        "retired": region.retired,
        "retired_year": region.retired_year,
    }


def _selection(filters: RegionFilters):
    if not filters.parent:
        if filters.level:
            return Region.objects.filter(level=filters.level)
        return Region.objects.roots()
    parent = Region.objects.filter(code=filters.parent).first()
    if parent is None:
        raise Http404
    if filters.level:
        return (
            Region.objects.within(parent.code).filter(level=filters.level).exclude(code=parent.code)
        )
    return Region.objects.children_of(parent.code)


@router.get(
    "/",
    response={200: RegionPage, 422: FieldErrors},
    summary="列出区划：某区划的下级（parent），或顶级区划；可按级别筛选（每页 200 条）",
)
def list_regions(request, filters: Query[RegionFilters]):
    if filters.parent and not divisioncode.is_valid(filters.parent):
        message = "上级区划代码应为 12 位统计用区划代码。"
        return Status(422, {"detail": [{"loc": ["query", "parent"], "msg": message}]})
    regions = _selection(filters)
    if not filters.include_retired:
        regions = regions.filter(retired=False)
    page = Paginator(regions.order_by("code"), PAGE_SIZE).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [to_out(r) for r in page],
    }


@router.get("/{code}", response=RegionOut, summary="查看一个区划")
def get_region(request, code: str):
    region = Region.objects.filter(code=code).first() if divisioncode.is_valid(code) else None
    if region is None:
        raise Http404
    return to_out(region)
