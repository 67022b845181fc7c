"""Search keys of a person's name: the simplified name, every pinyin reading, initials.

The keys are written with the person (services call index_person) so that a search
is an index range scan on PersonSearchKey.key.
"""

from tongzhan.lib import chinese

from .models import PersonSearchKey


def name_key(name: str) -> str:
    """The name as searched: half-width, trimmed, Traditional folded to Simplified."""
    return chinese.name_keys(name).simplified if name else ""


def index_person(person) -> None:
    keys = chinese.name_keys(person.name)
    PersonSearchKey.objects.filter(person=person).delete()
    PersonSearchKey.objects.bulk_create(
        [
            PersonSearchKey(person=person, kind=PersonSearchKey.Kind.PINYIN, key=k)
            for k in sorted(keys.pinyin_full)
        ]
        + [
            PersonSearchKey(person=person, kind=PersonSearchKey.Kind.INITIALS, key=k)
            for k in sorted(keys.initials)
        ]
    )
