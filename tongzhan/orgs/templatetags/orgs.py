"""Template tags of the orgs app: a person's organisations on the person's page."""

from django import template
from django.db.models import F

from ..models import Membership, Organisation

register = template.Library()


@register.inclusion_tag("orgs/includes/person_orgs.html", takes_context=True)
def person_organisations(context, person):
    """The person's memberships in the organisations the viewer can see (scope rule)."""
    user = context["request"].user
    memberships = (
        Membership.objects.filter(person=person)
        .filter(organisation__in=Organisation.objects.restrict(user, "view"))
        .select_related("organisation")
        .order_by(F("end_date").asc(nulls_first=True), "-start_date", "pk")
    )
    return {"memberships": list(memberships)}
