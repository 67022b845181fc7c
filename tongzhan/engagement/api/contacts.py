"""contacts API."""

from ninja import Router

router = Router(tags=["联系记录"])
