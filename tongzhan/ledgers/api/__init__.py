"""The ledgers API: one router; each module adds its operations to it on import."""

from ninja import Router

router = Router(tags=["台账"])

from . import exports, imports  # noqa: E402,F401

__all__ = ["router"]
