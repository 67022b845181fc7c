"""Keeping pairings right when the registry changes under them."""

from django.dispatch import receiver

from tongzhan.people.merge import person_merged

from .services.due import refresh_pairings


@receiver(person_merged)
def pairings_follow_a_merge(sender, kept, removed_id, **kwargs):
    # The removed record's contact logs now name the kept person: recount its pairings.
    refresh_pairings([kept.pk])
