"""Authorization matrix rows of the engagement pages and API (tests/test_authorization_matrix.py
reads CASES): one module per record kind, joined here. A module not written yet adds none."""

try:
    from . import access_matrix_pairings as pairings
except ImportError:  # pragma: no cover - only while the part is being written
    pairings = None
try:
    from . import access_matrix_contacts as contacts
except ImportError:  # pragma: no cover
    contacts = None
try:
    from . import access_matrix_requests as requests
except ImportError:  # pragma: no cover
    requests = None

CASES = [
    *getattr(pairings, "CASES", []),
    *getattr(contacts, "CASES", []),
    *getattr(requests, "CASES", []),
]
