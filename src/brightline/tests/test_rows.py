"""`brightline.rows.with_related` gives what the ORM's select_related gives, value for value."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from brightline.agencies.models import ApiToken
from brightline.agencies.services import api_token_authenticate, token_digest
from brightline.roster.models import Student
from brightline.roster.selectors import students_matching
from brightline.rows import with_related
from brightline.testing import World

pytestmark = pytest.mark.django_db


def _values(instance: Model) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def _same(ours: Model, orm: Model) -> None:
    assert type(ours) is type(orm)
    assert _values(ours) == _values(orm)
    for name, value in _values(ours).items():
        assert type(value) is type(_values(orm)[name]), name


def test_tokens_come_back_as_the_orm_reads_them(world: World) -> None:
    digest = token_digest(world.police_token)
    (ours,) = with_related(ApiToken, "agency", "m.token_sha256 = %s", [digest])
    orm = ApiToken.objects.select_related("agency").get(token_sha256=digest)
    _same(ours, orm)
    with CaptureQueriesContext(connection) as queries:
        _same(ours.agency, orm.agency)  # loaded with the token: no second query
    assert len(queries) == 0
    assert ours.scopes == orm.scopes and isinstance(ours.scopes, list)


def test_students_with_their_schools_and_no_school(world: World) -> None:
    Student.objects.filter(pk=world.ben.pk).update(school=None)
    ours = with_related(
        Student, "school", "m.id IN (%s, %s)", [world.alice.pk, world.ben.pk], order_by="m.sis_id"
    )
    orm = list(
        Student.objects.select_related("school")
        .filter(pk__in=[world.alice.pk, world.ben.pk])
        .order_by("sis_id")
    )
    assert len(ours) == 2
    for mine, theirs in zip(ours, orm, strict=True):
        _same(mine, theirs)
    assert ours[0].school is not None and ours[0].school.name == orm[0].school.name
    assert ours[1].school is None


def test_matching_by_name_and_birth_date_and_by_id(world: World) -> None:
    alice = world.alice
    by_name = students_matching(first_name="ALICE", last_name="rivera", birth_date=alice.birth_date)
    assert [student.pk for student in by_name] == [alice.pk]
    assert students_matching(student_id=f" {alice.sis_id} ")[0].pk == alice.pk
    assert (
        students_matching(
            first_name="Alice", last_name="Rivera", birth_date=alice.birth_date.replace(year=2000)
        )
        == []
    )


def test_a_revoked_or_unknown_token_is_nobody(world: World) -> None:
    assert api_token_authenticate(world.police_token).agency.name == world.police.name
    ApiToken.objects.filter(token_sha256=token_digest(world.police_token)).update(
        revoked_at="2026-01-01T00:00:00Z"
    )
    assert api_token_authenticate(world.police_token) is None
    assert api_token_authenticate("bl_" + "0" * 40) is None


def test_only_a_foreign_key_can_be_loaded_with_it() -> None:
    with pytest.raises(TypeError, match="foreign key"):
        with_related(Student, "first_name", "1 = 1", [])
