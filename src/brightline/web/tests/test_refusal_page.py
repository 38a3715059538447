"""A request refused in whole says so at the top of the requester's page, with the reason and what the
requester can do, and without a decision due date; a refusal that rests on a student's facts (here: her
family opted out of directory information) says nothing of the kind until the records office sends the
answer, since until then it reads as any request in review (CONTRACTS.md)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from brightline.casework import services
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db

BANNER = "Refused: nothing is released"


def main_of(client: Client, path: str) -> str:
    page = client.get(path).content.decode()
    return page[page.index("<main") : page.index("</main>")]


def test_an_immigration_refusal_says_refused_at_the_top_at_once(world: World, client: Client) -> None:
    client.force_login(world.immigration_officer)
    answer = client.post(
        "/portal/requests/new/",
        {
            "student1_student_id": world.alice.sis_id,
            "purpose": "civil_immigration_enforcement",
            "description": "Locate the student's family",
            "categories": ["enrollment"],
            "legal_process_kind": "administrative_warrant",
            "document_kind": "other",
        },
        follow=True,
    )
    html = answer.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    errors = re.findall(r"usa-error-message[^>]*>([^<]*)", main)
    assert answer.redirect_chain, errors
    assert BANNER in main and main.index(BANNER) < main.index("<dl")
    assert "civil immigration enforcement" in main[main.index(BANNER) :]
    assert "What you can do." in main
    assert "Decision due" not in main
    assert "was received" not in main  # no green greeting for a refusal


def test_a_refusal_on_a_students_facts_waits_for_the_offices_answer(world: World, client: Client) -> None:
    request = services.request_submit(
        agency=world.police,
        document=request_body(world.carla, categories=["directory"]),
        channel="portal",
        submitted_by=world.detective,
    ).request
    client.force_login(world.detective)
    before = main_of(client, f"/portal/requests/{request.pk}/")
    assert BANNER not in before and "Decision due" in before
    services.student_answer_send(request_student_id=request.students.get().pk, sent_by=world.clerk)
    after = main_of(client, f"/portal/requests/{request.pk}/")
    assert BANNER in after and "Decision due" not in after
    assert "No records released." in after


def test_the_release_downloads_as_the_answer_to_the_click_and_again_on_a_second(world: World) -> None:
    from brightline.disclosures.tests.test_nondisclosure_orders import sealed_subpoena

    request = sealed_subpoena(world)
    packet = request.packets.get()
    client = Client()
    client.force_login(world.detective)
    if packet.redisclosure_notice:
        client.post(
            f"/portal/requests/{request.pk}/releases/{packet.pk}/acknowledge",
            {f"ack-{packet.pk}-acknowledged_by": "Dana Keane", f"ack-{packet.pk}-accept": "on"},
        )
    for fmt, start in (("pdf", b"%PDF"), ("json", b"{"), ("pdf", b"%PDF")):
        answer = client.post(f"/portal/requests/{request.pk}/releases/{packet.pk}/download", {"format": fmt})
        assert answer.status_code == 200, answer.headers
        assert answer["Content-Disposition"] == f'attachment; filename="release-{request.reference}.{fmt}"'
        assert answer.content.startswith(start)
