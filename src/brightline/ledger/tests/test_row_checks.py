"""`brightline ledger verify` checks the rows people read against what the ledger recorded about them.

Requests go through submission, the district's emergency determination, review and release with the
real services; then one row at a time is changed behind the ledger's back with a raw SQL UPDATE, and the
command must name that row and exit non-zero. Runs on SQLite and, with DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import JSONField, Model
from django.utils import timezone

from brightline.casework.models import Decision, Item, ItemState, Request
from brightline.disclosures.models import DisclosureEntry, EntryKind, ReleasePacket
from brightline.disclosures.services import disclosure_event
from brightline.ledger.models import EventRecord, LedgerEntry
from brightline.ledger.row_checks import json_sha256, verify_rows
from brightline.ledger.testing import ledger_triggers_disabled
from brightline.ledger.tests.casework_world import Casework

pytestmark = pytest.mark.django_db


def _tamper(model: type[Model], pk: object, **values: Any) -> None:
    """UPDATE one row with plain SQL, as someone with the database and not the services would."""
    marks, params = [], []
    for name, value in values.items():
        column = model._meta.get_field(name)
        if isinstance(column, JSONField):
            params.append(json.dumps(value))
            marks.append(
                f"{column.column} = {'CAST(%s AS jsonb)' if connection.vendor == 'postgresql' else '%s'}"
            )
        else:
            params.append(column.get_db_prep_save(value, connection))
            marks.append(f"{column.column} = %s")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {model._meta.db_table} SET {', '.join(marks)} WHERE id = %s",  # noqa: S608
            [*params, model._meta.pk.get_db_prep_value(pk, connection)],
        )
        assert cursor.rowcount == 1


def _verify_fails() -> list[str]:
    """The command's complaint lines; it must exit with status 1."""
    with pytest.raises(CommandError) as raised:
        call_command("ledger", "verify", "--workers", "1")
    assert raised.value.returncode == 1
    return verify_rows().messages()


def test_untouched_rows_agree_with_the_ledger_and_the_command_says_what_it_compared(
    released: Casework, capsys: pytest.CaptureFixture[str]
) -> None:
    report = verify_rows()
    assert report.messages() == []
    assert report.rows["casework.Decision"] == 2
    assert report.rows["casework.Item"] == 4
    assert report.rows["casework.Request"] == 3
    assert report.rows["disclosures.ReleasePacket"] == 2
    assert report.rows["disclosures.DisclosureEntry"] == DisclosureEntry.objects.count() >= 6
    call_command("ledger", "verify", "--workers", "1")
    out = capsys.readouterr().out
    assert "ledger verified:" in out
    assert "rows agree with the ledger: 2 casework.Decision, 4 casework.Item, 3 casework.Request" in out


def test_a_record_of_disclosures_entry_given_another_party_is_named(released: Casework) -> None:
    entry = DisclosureEntry.objects.get(request=released.sealed, kind=EntryKind.DISCLOSURE)
    _tamper(DisclosureEntry, entry.pk, party_name="Someone Else", party_affiliation="Another Agency")
    problems = _verify_fails()
    assert problems == [
        f"disclosures.DisclosureEntry {entry.pk}: party, interest, lawful basis, threat, recipients or "
        f"releaser differs from ledger entry {entry.ledger_index} (disclosure_record.disclosure)"
    ]


def test_a_record_of_disclosures_entry_with_fewer_fields_or_unsealed_is_named(released: Casework) -> None:
    entry = DisclosureEntry.objects.get(request=released.sealed, kind=EntryKind.DISCLOSURE)
    assert entry.sealed and entry.fields
    _tamper(DisclosureEntry, entry.pk, fields=entry.fields[:1], sealed=False)
    assert _verify_fails() == [
        f"disclosures.DisclosureEntry {entry.pk}: fields, sealed differ from ledger entry "
        f"{entry.ledger_index} (disclosure_record.disclosure)"
    ]


def test_an_after_the_fact_entry_moved_in_time_or_pointed_at_another_ledger_entry_is_named(
    released: Casework,
) -> None:
    entry = DisclosureEntry.objects.get(kind=EntryKind.ABUSE_REPORT)
    _tamper(
        DisclosureEntry,
        entry.pk,
        occurred_at=entry.occurred_at - dt.timedelta(days=200),
        ledger_index=entry.ledger_index - 1,
    )
    assert _verify_fails() == [
        f"disclosures.DisclosureEntry {entry.pk}: occurred_at, ledger_index differ from ledger entry "
        f"{entry.ledger_index} (disclosure_record.abuse_report)"
    ]


def test_a_decisions_rationale_and_lawful_basis_edited_are_named(released: Casework) -> None:
    decision = Decision.objects.get(item__request=released.sealed)
    index = LedgerEntry.objects.get(event_type="item.decided", subject__decision=decision.pk).index
    _tamper(Decision, decision.pk, rationale="Consent on file.", lawful_basis="consent_obtained")
    assert _verify_fails() == [
        f"casework.Decision {decision.pk}: lawful_basis, rationale differ from ledger entry {index} "
        "(item.decided)"
    ]


def test_a_denial_turned_into_an_approval_is_named_with_its_item(released: Casework) -> None:
    decision = Decision.objects.get(item__request=released.emergency)
    item = decision.item
    assert item.state == ItemState.DENIED
    _tamper(Decision, decision.pk, action="approve")
    _tamper(Item, item.pk, state=ItemState.CLEARED)
    index = LedgerEntry.objects.get(event_type="item.decided", subject__decision=decision.pk).index
    assert _verify_fails() == [
        f"casework.Decision {decision.pk}: action differs from ledger entry {index} (item.decided)",
        f"casework.Item {item.pk}: its state is 'cleared'; ledger entry {index} (item.decided) left it "
        "'denied'",
    ]


def test_an_item_the_policy_refused_set_to_released_is_named(released: Casework) -> None:
    item = released.refused.items.get()
    assert item.state == ItemState.REFUSED
    _tamper(Item, item.pk, state=ItemState.RELEASED)
    index = LedgerEntry.objects.get(event_type="request.submitted", subject__request=str(released.refused.pk))
    assert _verify_fails() == [
        f"casework.Item {item.pk}: its state is 'released'; ledger entry {index.index} (request.submitted) "
        "left it 'refused'"
    ]


def test_a_released_packets_content_edited_is_named(released: Casework) -> None:
    packet = ReleasePacket.objects.get(request=released.emergency)
    content = packet.content
    content["students"][0]["categories"][0]["fields"] = {"home_address": "12 Elm Street"}
    _tamper(ReleasePacket, packet.pk, content=content)
    index = LedgerEntry.objects.get(
        event_type="release.packet_released", subject__packet=str(packet.pk)
    ).index
    assert _verify_fails() == [
        f"disclosures.ReleasePacket {packet.pk}: content differs from ledger entry {index} "
        "(release.packet_released)"
    ]


def test_a_requests_disposition_and_purpose_edited_are_named(released: Casework) -> None:
    request = released.refused
    _tamper(Request, request.pk, disposition="nothing_released", purpose="criminal_investigation")
    submitted = LedgerEntry.objects.get(event_type="request.submitted", subject__request=str(request.pk))
    changed = LedgerEntry.objects.get(event_type="request.state_changed", subject__request=str(request.pk))
    assert _verify_fails() == [
        f"casework.Request {request.pk}: purpose differs from the document that ledger entry "
        f"{submitted.index} (request.submitted) commits to",
        f"casework.Request {request.pk}: disposition differs from ledger entry {changed.index} "
        "(request.state_changed)",
    ]


def test_every_row_that_differs_is_named_at_once(released: Casework) -> None:
    decision = Decision.objects.get(item__request=released.sealed)
    entry = DisclosureEntry.objects.get(kind=EntryKind.ABUSE_REPORT)
    packet = ReleasePacket.objects.get(request=released.sealed)
    _tamper(Decision, decision.pk, rationale="Edited.")
    _tamper(DisclosureEntry, entry.pk, party_kind="municipal_police")
    _tamper(ReleasePacket, packet.pk, content_sha256="0" * 64)
    problems = _verify_fails()
    assert len(problems) == 3
    assert [problem.split(":")[0] for problem in problems] == [
        f"casework.Decision {decision.pk}",
        f"disclosures.DisclosureEntry {entry.pk}",
        f"disclosures.ReleasePacket {packet.pk}",
    ]


def test_a_row_deleted_or_added_behind_the_ledgers_back_is_named(released: Casework) -> None:
    entry = DisclosureEntry.objects.get(request=released.refused)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DisclosureEntry._meta.db_table} WHERE id = %s", [entry.pk])  # noqa: S608
    added = DisclosureEntry.objects.create(
        student=entry.student,
        student_sis_id=entry.student_sis_id,
        kind=EntryKind.DISCLOSURE,
        occurred_at=timezone.now(),
        recorded_at=timezone.now(),
        party_name="Nobody",
        party_affiliation="Nowhere",
        party_kind="court",
        legitimate_interest="none",
    )
    assert _verify_fails() == [
        f"disclosures.DisclosureEntry {added.pk}: no ledger entry records it",
        f"disclosures.DisclosureEntry {entry.pk} is missing: ledger entry {entry.ledger_index} "
        "(disclosure_record.request) records it",
    ]


def _record_rewritten(index: int, canonical: bytes | str) -> None:
    entry = LedgerEntry.objects.get(index=index)
    with ledger_triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {EventRecord._meta.db_table} SET canonical = %s WHERE id = %s",  # noqa: S608
            [canonical, entry.record_id],
        )


def test_an_event_record_with_the_wrong_types_is_named_as_tampering_not_a_crash(released: Casework) -> None:
    decision = Decision.objects.get(item__request=released.sealed)
    entry = LedgerEntry.objects.get(event_type="item.decided", subject__decision=decision.pk)
    envelope = entry.record.envelope
    envelope["record"]["decision"] = "seven"
    _record_rewritten(entry.index, json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode())
    problems = _verify_fails()
    assert (
        f"entry {entry.index}: its item.decided event record is malformed: decision: expected an integer, found str"
        in problems
    )


def test_an_event_record_that_is_not_json_is_named_as_tampering_not_a_crash(released: Casework) -> None:
    entry = LedgerEntry.objects.filter(event_type="release.packet_released").first()
    assert entry is not None
    _record_rewritten(entry.index, b'{"event_type":"release.packet_released","nonce":\xff')
    with pytest.raises(CommandError, match=f"entry {entry.index}: record hash does not match"):
        call_command("ledger", "verify", "--workers", "1")
    assert f"entry {entry.index}: its release.packet_released event record is malformed" in " ".join(
        verify_rows().messages()
    )


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="PostgreSQL's bytea column refuses text outright")
def test_text_where_the_event_records_bytes_belong_is_named_as_tampering_not_a_crash(
    released: Casework, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = LedgerEntry.objects.filter(event_type="release.packet_released").first()
    assert entry is not None
    _record_rewritten(entry.index, bytes(entry.record.canonical).decode())
    with pytest.raises(CommandError) as raised:
        call_command("ledger", "verify", "--workers", "1")
    assert raised.value.returncode == 1
    errors = capsys.readouterr().err
    assert (
        f"entry {entry.index}: its event record is not bytes (str stored where bytes are expected)" in errors
    )
    assert f"entry {entry.index}: its data or event record cannot be read" in errors


def test_an_event_type_column_that_differs_from_what_the_entry_commits_to_is_named(
    released: Casework,
) -> None:
    entry = LedgerEntry.objects.filter(event_type="release.packet_released").first()
    assert entry is not None
    with ledger_triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {LedgerEntry._meta.db_table} SET event_type = %s WHERE "index" = %s',  # noqa: S608
            ["release.withheld", entry.index],
        )
    assert (
        f"entry {entry.index}: its event_type column says 'release.withheld'; it commits to "
        "'release.packet_released'"
    ) in _verify_fails()


def test_the_ledgers_hash_of_an_entry_is_the_one_disclosures_writes(released: Casework) -> None:
    # The row check recomputes what `disclosure_event` hashes; the two must stay one definition.
    for entry in DisclosureEntry.objects.all():
        recorded = disclosure_event(entry).record
        stored = EventRecord.objects.get(entry__index=entry.ledger_index).record
        assert recorded == stored
    packet = ReleasePacket.objects.get(request=released.sealed)
    assert json_sha256(packet.content) == packet.content_sha256
    document = released.sealed.document
    submitted = LedgerEntry.objects.get(
        event_type="request.submitted", subject__request=str(released.sealed.pk)
    )
    assert json_sha256(document) == submitted.record.record["document_sha256"]


def test_a_value_canonical_json_refuses_never_matches() -> None:
    # No service could have hashed a float or a key that is not text: such a row differs, it is no crash.
    assert json_sha256({"grade": 3.5}).startswith("<")
    assert json_sha256({1: "one"}).startswith("<")


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="PostgreSQL's column types refuse these values")
def test_values_of_the_wrong_type_in_the_rows_are_named_not_a_crash(released: Casework) -> None:
    decision = Decision.objects.get(item__request=released.sealed)
    index = LedgerEntry.objects.get(event_type="item.decided", subject__decision=decision.pk).index
    entry = DisclosureEntry.objects.get(kind=EntryKind.ABUSE_REPORT)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE casework_decision SET rationale = X'00ff' WHERE id = %s", [decision.pk])
        cursor.execute(
            "UPDATE disclosures_disclosureentry SET occurred_at = 'yesterday' WHERE id = %s", [entry.pk]
        )
    problems = _verify_fails()
    assert (
        problems[0]
        == f"casework.Decision {decision.pk}: rationale differs from ledger entry {index} (item.decided)"
    )
    assert problems[1] == (
        f"disclosures.DisclosureEntry {entry.pk}: occurred_at differs from ledger entry {entry.ledger_index} "
        "(disclosure_record.abuse_report)"
    )
