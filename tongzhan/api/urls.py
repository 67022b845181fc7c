"""The API root: django-ninja at /api/v1/; each app keeps its router in its api.py."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from tongzhan.core.scope import OutOfScope, ReadOnly

from .auth import AUTH

api = NinjaAPI(
    title="tongzhan API",
    version="1",
    description="统战工作管理平台接口。会话（浏览器）或 Bearer 令牌认证；所有操作均受数据范围规则约束。",
    auth=AUTH,
    # The schema and the docs page are for logged-in users only (the docs page serves
    # Swagger UI from ninja's own static files: no CDN).
    docs_decorator=login_required,
    urls_namespace="api",
)


@api.exception_handler(OutOfScope)
def out_of_scope(request, exc):
    return api.create_response(request, {"detail": "未找到"}, status=404)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "未找到"}, status=404)


@api.exception_handler(ReadOnly)
def read_only(request, exc):
    return api.create_response(request, {"detail": str(exc) or "只读"}, status=403)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": "未登录或令牌无效"}, status=401)


# Validation messages in the user's language (pydantic's own are English only).
VALIDATION_MESSAGES = {
    "missing": "此字段为必填项。",
    "string_type": "应为文本。",
    "int_parsing": "应为整数。",
    "int_type": "应为整数。",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD。",
    "date_parsing": "日期格式应为 YYYY-MM-DD。",
    "date_type": "日期格式应为 YYYY-MM-DD。",
    "list_type": "应为列表。",
    "greater_than_equal": "数值过小。",
    "json_invalid": "请求体不是有效的 JSON。",
    "model_attributes_type": "请求体应为 JSON 对象。",
}


@api.exception_handler(ValidationError)
def invalid_input(request, exc):
    errors = [
        {
            "loc": list(error.get("loc", [])),
            "msg": VALIDATION_MESSAGES.get(error.get("type", ""), error.get("msg", "输入无效。")),
        }
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": errors}, status=422)


def _add_routers() -> None:
    from tongzhan.core.api import router as regions_router
    from tongzhan.engagement.api import router as engagement_router
    from tongzhan.ledgers.api import router as ledgers_router
    from tongzhan.orgs.api import router as orgs_router
    from tongzhan.people.api import router as people_router

    api.add_router("/people/", people_router)
    api.add_router("/regions/", regions_router)
    api.add_router("/ledgers/", ledgers_router)
    api.add_router("/orgs/", orgs_router)
    api.add_router("/engagement/", engagement_router)


_add_routers()
