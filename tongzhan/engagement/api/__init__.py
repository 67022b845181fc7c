"""The engagement API: one router per record kind, mounted under /api/v1/engagement/."""

from ninja import Router

from . import contacts, pairings, requests

router = Router()
router.add_router("/pairings/", pairings.router)
router.add_router("/contacts/", contacts.router)
router.add_router("/requests/", requests.router)
