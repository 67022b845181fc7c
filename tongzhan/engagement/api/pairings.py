"""pairings API."""

from ninja import Router

router = Router(tags=["联谊交友"])
