"""Display text shared by code and templates."""

from django.utils.translation import gettext


def format_list(items) -> str:
    """Join items for display with the language's list separator: 、 in Chinese, ", " in English."""
    # Translators: the separator between the items of a list, as in 甲、乙、丙.
    return gettext("、").join(str(item) for item in items)
