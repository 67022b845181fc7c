"""The world fixture builds and every persona can open its home page."""

import pytest

from tongzhan.testing import PERSONAS


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_every_persona_sees_its_home_page(as_persona, persona):
    response = as_persona(persona).get("/")
    assert response.status_code == 200
    assert "统战工作管理平台" in response.content.decode()
