"""Who and where for audit entries written deep inside services (set per request)."""

import ipaddress
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestContext:
    ip: str = ""
    via: str = "web"  # web, api, cli


current: ContextVar[RequestContext] = ContextVar(
    "tongzhan_audit_context",
    default=RequestContext(via="cli"),  # noqa: B039 (frozen)
)


def client_ip(request) -> str:
    """The client's address. Behind nginx REMOTE_ADDR is the proxy, so X-Real-IP is
    believed only when the request comes from a proxy listed in TONGZHAN_TRUSTED_PROXIES;
    from anywhere else the header could be forged."""
    remote = request.META.get("REMOTE_ADDR", "")[:45]
    if remote not in settings.TRUSTED_PROXIES:
        return remote
    forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        return remote
