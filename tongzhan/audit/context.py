"""Who and where for audit entries written deep inside services (set per request)."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str = ""
    via: str = "web"  # web, api, cli


current: ContextVar[RequestContext] = ContextVar(
    "tongzhan_audit_context",
    default=RequestContext(via="cli"),  # noqa: B039 (frozen)
)


def client_ip(request) -> str:
    # Behind nginx, REMOTE_ADDR is the proxy; the deployment doc sets the real IP there.
    return request.META.get("REMOTE_ADDR", "")[:45]
