"""The people API (filled in while issue #2 is in progress)."""

from ninja import Router

router = Router(tags=["统战对象"])
