"""What was sent: the family reads each notice's text in the language it was sent, and downloads the
letter."""

from __future__ import annotations

import pytest
from django.test import Client

from brightline.notices.models import FamilyNotice
from brightline.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings: object) -> None:
    settings.REQUIRE_MFA = False  # type: ignore[attr-defined]


def test_the_family_reads_what_was_sent_in_its_language_and_downloads_the_letter(
    world: World, client: Client
) -> None:
    from brightline.disclosures.tests.test_family_record import emergency_released

    emergency_released(world)
    notice = FamilyNotice.objects.filter(student=world.alice, language="es").first()
    assert notice is not None
    client.force_login(world.parent)
    page = client.get("/family/").content.decode()
    assert f'id="notice-{notice.pk}"' in page and 'lang="es" dir="ltr"' in page
    assert "Se entregaron expedientes del estudiante por una emergencia" in page
    letter = client.get(f"/family/notices/{notice.pk}/letter.pdf")
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF")
    client.force_login(world.other_parent)
    assert client.get(f"/family/notices/{notice.pk}/letter.pdf").status_code == 404
