"""The people API: one router; each module adds its operations to it on import."""

from ninja import Router

router = Router(tags=["统战对象"])

from . import duplicates, lists, records  # noqa: E402,F401

__all__ = ["router"]
