"""Every page a family or the public reads, in the district's ten languages: `<html lang>` and `dir`,
text through the catalogs, a chooser that switches and remembers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format

from brightline.accounts.models import User
from brightline.testing import World
from brightline.transparency.periods import Period
from brightline.transparency.tests.test_pages import _current_quarter, _requests

pytestmark = pytest.mark.django_db

OTHER_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


def visible_words(html: str) -> list[str]:
    main = html.split('id="main-content"', 1)[1]
    # What the eye reads: not the folded copies of letters sent (each in the language it was sent, with
    # English), nor the language names of a chooser (each written in its own language).
    main = re.sub(r"<details.*?</details>|<select.*?</select>", " ", main, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", main)
    return [line.strip() for line in text.splitlines() if line.strip()]


def differing_share(english: list[str], other: list[str]) -> float:
    same = len(set(english) & set(other))
    return 1 - same / max(len(set(english)), 1)


@pytest.fixture(autouse=True)
def _no_second_factor(settings: object) -> None:
    settings.REQUIRE_MFA = False  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_home_family_and_policy_pages_declare_the_language_and_are_translated(
    world: World, client: Client, language: str
) -> None:
    from brightline.disclosures.tests.test_family_record import emergency_released

    emergency_released(world)
    visitor = Client()
    client.force_login(world.parent)
    pages: dict[str, dict[str, str]] = {}
    for code in ("en", language):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
        visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = code
        pages[code] = {
            "/": visitor.get("/").content.decode(),
            "/family/": client.get("/family/").content.decode(),
            "/policy/": visitor.get("/policy/").content.decode(),
        }
    lang = "zh-Hans" if language == "zh-hans" else language
    direction = "rtl" if language == "ar" else "ltr"
    for path in ("/", "/family/", "/policy/"):
        assert f'<html lang="{lang}" dir="{direction}">' in pages[language][path]
        assert differing_share(visible_words(pages["en"][path]), visible_words(pages[language][path])) > 0.5


def test_the_sign_in_page_is_translated(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    body = client.get("/accounts/sign-in/").content.decode()
    assert "¿Olvidó su contraseña?" in body and "Nombre de usuario" in body


def test_the_chooser_switches_and_remembers_the_choice_for_the_person(world: World, client: Client) -> None:
    client.force_login(world.parent)
    response = client.post("/language/", {"language": "vi", "next": "/family/"})
    assert response.status_code == 302 and response["Location"] == "/family/"
    assert '<html lang="vi" dir="ltr">' in client.get("/family/").content.decode()
    assert User.objects.get(pk=world.parent.pk).preferred_language == "vi"
    # Another browser, signed in as the same person, without the cookie: the choice follows them.
    elsewhere = Client()
    elsewhere.force_login(world.parent)
    assert "Hồ sơ của gia đình quý vị" in elsewhere.get("/family/").content.decode()
    # A visitor's choice stays in their browser.
    visitor = Client()
    visitor.post("/language/", {"language": "ar", "next": "/"})
    assert '<html lang="ar" dir="rtl">' in visitor.get("/").content.decode()


def test_a_family_sets_its_own_notice_language_on_its_page(world: World, client: Client) -> None:
    from brightline.ledger.models import LedgerEntry
    from brightline.roster.models import Guardian

    client.force_login(world.parent)
    assert client.post("/family/notice-language", {"language": "pt"}).status_code == 302
    assert Guardian.objects.get(user=world.parent).preferred_language == "pt"
    assert LedgerEntry.objects.filter(event_type="guardian.notice_language_set").count() == 1
    assert client.post("/family/notice-language", {"language": "xx"}).status_code == 302
    assert Guardian.objects.get(user=world.parent).preferred_language == "pt"


@pytest.mark.parametrize("language", ["es", "ar", "zh-hans"])
def test_the_ledger_page_transparency_reports_and_staff_dashboards_are_translated(
    world: World, client: Client, language: str
) -> None:
    _requests(world)
    key = _current_quarter()
    with time_machine.travel(Period.parse(key).end + dt.timedelta(hours=3), tick=False):
        call_command("transparency", "publish")
    visitor = Client()
    pages: dict[str, dict[str, str]] = {}
    for code in ("en", language):
        visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = code
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
        pages[code] = {
            "/verify/": visitor.get("/verify/").content.decode(),
            "/transparency/": visitor.get("/transparency/").content.decode(),
            f"/transparency/{key}/": visitor.get(f"/transparency/{key}/").content.decode(),
        }
        client.force_login(world.clerk)
        pages[code]["/ (records office)"] = client.get("/").content.decode()
        pages[code]["/office/"] = client.get("/office/").content.decode()
        client.force_login(world.superintendent)
        pages[code]["/review/"] = client.get("/review/").content.decode()
    for path, english in pages["en"].items():
        translated = pages[language][path]
        assert differing_share(visible_words(english), visible_words(translated)) > 0.5, path


def test_the_dashboards_words_for_states_and_channels_are_casework_s_own() -> None:
    from brightline.casework.models import Channel, RequestState
    from brightline.web.labels import DASHBOARD_WORDS

    assert set(DASHBOARD_WORDS) == {str(label) for _value, label in [*RequestState.choices, *Channel.choices]}


def test_a_person_who_never_chose_reads_the_browsers_language(world: World, client: Client) -> None:
    """The default is no choice: signed in, a parent whose browser asks for Arabic reads Arabic."""
    assert User.objects.get(pk=world.parent.pk).preferred_language == ""
    client.force_login(world.parent)
    page = client.get("/family/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in page


@pytest.mark.parametrize("language", ["ar", "ht", "so", "kea"])
def test_dates_and_times_follow_the_language_whole(language: str) -> None:
    """Never half translated: in Arabic the day comes before the month in a date with its time too."""
    moment = dt.datetime(2026, 12, 3, 14, 41, tzinfo=dt.UTC)
    with translation.override(language):
        written = date_format(moment, "DATETIME_FORMAT")
    assert written.startswith("3 "), written
