"""Template filters of the project: {% load tongzhan %}."""

from django import template

from tongzhan.lib.text import format_list

register = template.Library()


@register.filter
def list_join(items) -> str:
    """{{ labels|list_join }}: the items joined by the current language's list separator."""
    # Not marked safe: the engine escapes the joined text once, like the built-in join.
    return format_list(items)
