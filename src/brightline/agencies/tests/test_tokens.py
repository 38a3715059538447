"""An agency's API token is found with its agency in one query; a revoked or unknown one is nobody."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from brightline.agencies.models import ApiToken
from brightline.agencies.services import api_token_authenticate, token_digest
from brightline.testing import World

pytestmark = pytest.mark.django_db


def test_a_live_token_comes_with_its_agency_in_one_query(
    world: World, django_assert_num_queries: Any
) -> None:
    api_token_authenticate(world.police_token)  # marks it used: not again within the minute
    with django_assert_num_queries(1):
        token = api_token_authenticate(world.police_token)
        assert token is not None and token.agency.name == world.police.name


def test_a_revoked_or_unknown_token_is_nobody(world: World) -> None:
    ApiToken.objects.filter(token_sha256=token_digest(world.police_token)).update(revoked_at=timezone.now())
    assert api_token_authenticate(world.police_token) is None
    assert api_token_authenticate("bl_" + "0" * 40) is None
    assert api_token_authenticate("not a token") is None
