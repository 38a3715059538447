"""Which version governs a moment has one definition: the version, its key (what casework reads on every
submission) and the engine policy a request is triaged under all come from it."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from brightline.casework.triage import policy_in_effect
from brightline.policy.models import Version, VersionStatus
from brightline.policy.stored import version_in_effect_at, version_key_in_effect_at

pytestmark = pytest.mark.django_db


def _version(number: int, status: str, **dates: dt.datetime | None) -> Version:
    first = Version.objects.get(number=1)
    text = first.text + f"\n// version {number}\n"
    return Version.objects.create(
        number=number,
        label=f"test-{number}",
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        summary="",
        status=status,
        created_at=timezone.now(),
        **dates,
    )


def test_the_version_and_its_key_agree_at_every_moment() -> None:
    now = timezone.now()
    switch, later = now - dt.timedelta(days=10), now + dt.timedelta(days=10)
    first = Version.objects.get(number=1)
    assert first.effective_from is None  # in effect from the beginning
    Version.objects.filter(pk=first.pk).update(status=VersionStatus.SUPERSEDED, superseded_at=switch)
    second = _version(2, VersionStatus.SUPERSEDED, effective_from=switch, superseded_at=later)
    third = _version(3, VersionStatus.EFFECTIVE, effective_from=later)
    _version(4, VersionStatus.ADOPTED)  # adopted, never in effect

    expected = [
        (switch - dt.timedelta(days=365), first),
        (switch - dt.timedelta(microseconds=1), first),
        (switch, second),  # from the moment it takes effect
        (now, second),
        (later - dt.timedelta(microseconds=1), second),
        (later, third),
        (later + dt.timedelta(days=365), third),
    ]
    for moment, version in expected:
        assert version_in_effect_at(moment) == version, moment
        assert version_key_in_effect_at(moment) == (version.pk, version.sha256), moment
        assert policy_in_effect(moment).sha256 == version.sha256, moment


def test_with_no_version_in_effect_there_is_none() -> None:
    Version.objects.update(status=VersionStatus.DRAFT)
    assert version_in_effect_at(timezone.now()) is None
    assert version_key_in_effect_at(timezone.now()) is None
