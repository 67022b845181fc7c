"""The person's page leads to the work records: log a contact, raise a request."""

from django.urls import reverse


def test_a_village_liaison_can_log_a_contact_from_the_persons_page(world, as_persona):
    html = as_persona("village_a").get(reverse("people:detail", args=[world.person_a1.pk]))
    html = html.content.decode()
    assert f"{reverse('engagement:contact_create')}?person={world.person_a1.pk}" in html
    assert 'data-testid="raise-request"' in html


def test_the_leader_reads_the_persons_contacts_but_gets_no_logging_buttons(world, as_persona):
    html = as_persona("leader").get(reverse("people:detail", args=[world.person_a1.pk]))
    html = html.content.decode()
    assert 'data-testid="log-contact"' not in html
    assert 'data-testid="raise-request"' not in html
    assert f"{reverse('engagement:contact_list')}?person={world.person_a1.pk}" in html
