"""Contact intervals and due dates: pure date arithmetic, no database.

Intervals are whole months (monthly, quarterly, half-yearly, yearly is how counties set
them). A month later than 31 January is the last day of February, as people count it.
"""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """`day` moved by `months`, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_due(start: date, last_contact: date | None, interval_months: int) -> date:
    """When the next contact is due: an interval after the last contact, or after the
    pairing started when there has been none."""
    return add_months(last_contact or start, interval_months)


def is_overdue(due: date, today: date) -> bool:
    """Overdue from the day after the due date: contact on the due day is on time."""
    return today > due


def is_late_entry(happened_on: date, entered_on: date, threshold_days: int) -> bool:
    """补录: entered more than `threshold_days` days after it happened."""
    return (entered_on - happened_on).days > threshold_days
