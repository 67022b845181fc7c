"""Person pages, one module per concern; urls.py names them from here."""

from .duplicates import person_duplicates, person_merge
from .lists import PAGE_SIZE, person_list, person_stats
from .records import (
    person_create,
    person_delete,
    person_detail,
    person_edit,
    person_photo,
    person_photo_file,
    person_reveal_id_number,
    person_reveal_phone,
    person_status,
)
from .saved_filters import saved_filter_create, saved_filter_delete

__all__ = [
    "PAGE_SIZE",
    "person_create",
    "person_delete",
    "person_detail",
    "person_duplicates",
    "person_edit",
    "person_list",
    "person_merge",
    "person_photo",
    "person_photo_file",
    "person_reveal_id_number",
    "person_reveal_phone",
    "person_status",
    "person_stats",
    "saved_filter_create",
    "saved_filter_delete",
]
