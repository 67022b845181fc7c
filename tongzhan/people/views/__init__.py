"""Person pages, one module per concern; urls.py names them from here."""

from .lists import PAGE_SIZE, person_list, person_stats
from .records import (
    person_create,
    person_delete,
    person_detail,
    person_edit,
    person_reveal_phone,
)

__all__ = [
    "PAGE_SIZE",
    "person_create",
    "person_delete",
    "person_detail",
    "person_edit",
    "person_list",
    "person_reveal_phone",
    "person_stats",
]
