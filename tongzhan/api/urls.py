"""The API root: django-ninja at /api/v1/; each app keeps its router in its api.py."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from tongzhan.core.scope import OutOfScope, ReadOnly

from .auth import AUTH

api = NinjaAPI(
    title="tongzhan API",
    version="1",
    description="统战工作管理平台接口。会话（浏览器）或 Bearer 令牌认证；所有操作均受数据范围规则约束。",
    auth=AUTH,
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


def _add_routers() -> None:
    from tongzhan.people.api import router as people_router

    api.add_router("/people/", people_router)


_add_routers()
