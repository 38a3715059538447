"""One page of letters to mail: the records office's `/office/letters/` and the notices app's
`/notices/letters/` are the same page; each letter opens to print or downloads as a PDF, and the day's
mail comes as one PDF with every waiting letter."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client

from brightline.notices.models import FamilyNotice
from brightline.notices.tests.helpers import subpoena_approved
from brightline.testing import World

pytestmark = pytest.mark.django_db

pypdf = pytest.importorskip("pypdf")


def test_one_letters_page_with_each_letter_and_the_days_mail(world: World, client: Client) -> None:
    request = subpoena_approved(world, world.alice)
    letters = list(FamilyNotice.objects.filter(request=request, channel="letter"))
    assert letters
    client.force_login(world.clerk)
    office = client.get("/office/letters/").content.decode()
    notices = client.get("/notices/letters/").content.decode()
    main = office[office.index("<main") : office.index("</main>")]
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert csrf.sub("", main) == csrf.sub("", notices[notices.index("<main") : notices.index("</main>")])
    for letter in letters:
        assert f"To {letter.recipient_name}" in main
        assert f'href="/notices/{letter.pk}/letter.pdf"' in main
        assert f'href="/notices/{letter.pk}/letter.pdf?download=1"' in main
    download = client.get(f"/notices/{letters[0].pk}/letter.pdf?download=1")
    assert download["Content-Disposition"].startswith("attachment;")
    assert client.get(f"/notices/{letters[0].pk}/letter.pdf")["Content-Disposition"].startswith("inline;")

    batch = client.get("/office/letters/?format=pdf")
    assert batch.status_code == 200 and batch["Content-Type"] == "application/pdf"
    assert batch["Content-Disposition"].startswith('attachment; filename="letters-to-mail-')
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(batch.content)).pages)
    for letter in letters:
        assert letter.recipient_name in text

    # Marking a letter mailed comes back to the one page.
    answer = client.post(f"/notices/{letters[0].pk}/mailed/")
    assert answer.status_code == 302 and answer["Location"] == "/office/letters/"

    client.force_login(world.detective)
    assert client.get("/office/letters/?format=pdf").status_code == 403
