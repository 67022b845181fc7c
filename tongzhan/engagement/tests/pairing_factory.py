"""Pairings for the pairing tests: representatives made from the world's persons, pairings
made by the service (so each has its audit row), contacts written straight to the model
(the contact services are tested on their own) and counted through services.due."""

from datetime import date

from django.utils import timezone

from tongzhan.engagement.choices import ContactMode
from tongzhan.engagement.models import ContactLog
from tongzhan.engagement.services import pairings as services
from tongzhan.engagement.services.due import refresh_pairings


def represent(person, level="county"):
    """Make a world person a 党外代表人士 (only they can be paired)."""
    person.is_representative, person.representative_level = True, level
    person.save(update_fields=["is_representative", "representative_level"])
    return person


def pair(world, cadre="township_a", person=None, by="county_staff", start=None, **extra):
    person = represent(person or world.person_a1)
    return services.do_create_pairing(
        world.user(by),
        cadre=world.user(cadre),
        person=person,
        start_date=start or timezone.localdate(),
        **extra,
    )


def contact(person, cadres, on: date, by=None):
    """A contact log naming `person` with `cadres` present, then the pairings recounted."""
    log = ContactLog.objects.create(
        happened_on=on, mode=ContactMode.VISIT, summary="走访企业", region_id=person.region_id
    )
    log.persons.add(person)
    log.cadres.add(*cadres)
    refresh_pairings([person.pk])
    return log
