"""Carries the request's source IP to audit entries written by services."""

from .context import RequestContext, client_ip, current


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        via = "api" if request.path.startswith("/api/") else "web"
        token = current.set(RequestContext(ip=client_ip(request), via=via))
        try:
            return self.get_response(request)
        finally:
            current.reset(token)
