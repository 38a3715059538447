"""The translation catalogs: complete, compiled, and reviewed by a district translator."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import include, path

from brightline.errors import NotAllowed
from brightline.notices import services
from brightline.notices.catalogs import catalog_completeness, catalogs_compile, po_path, translated_languages
from brightline.notices.selectors import catalog_statuses
from brightline.testing import World, make_user
from brightline.urls import urlpatterns as project_urls

pytestmark = pytest.mark.django_db

urlpatterns = [*project_urls, path("notices/", include("brightline.notices.urls"))]


def _sign_in(client, user) -> None:
    """A staff session that has shown its second factor."""
    from brightline.accounts.mfa import SESSION_KEY

    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = True
    session.save()


@pytest.fixture
def translator(world: World):
    user = make_user("translator", "school_staff", first="Tran", last="Slator")
    user.user_permissions.add(Permission.objects.get(codename="add_catalogreview"))
    return user


@pytest.fixture
def locale_copy(settings, tmp_path: Path) -> Path:
    """A scratch copy of the catalogs, so a test can change one."""
    target = tmp_path / "locale"
    shutil.copytree(Path(settings.LOCALE_PATHS[0]), target)
    settings.LOCALE_PATHS = [target]
    return target


def test_every_language_catalog_is_complete() -> None:
    assert translated_languages() == ["es", "ht", "kea", "pt", "vi", "zh-hans", "ar", "so", "ru"]
    for language in translated_languages():
        completeness = catalog_completeness(language)
        assert completeness.complete, completeness
        assert completeness.translated == completeness.total > 40


def test_committed_compiled_catalogs_match_their_sources() -> None:
    out = StringIO()
    call_command("compile_catalogs", "--check", stdout=out)
    assert out.getvalue().count(": current") == 9


def test_a_fuzzy_or_missing_translation_makes_the_catalog_incomplete(locale_copy: Path) -> None:
    po = po_path("so")
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgid "Records Office"', '#, fuzzy\nmsgid "Records Office"', 1)
    text = text.replace('msgstr "Taariikh"', 'msgstr ""', 1)
    po.write_text(text, encoding="utf-8")
    completeness = catalog_completeness("so")
    assert not completeness.complete
    assert completeness.fuzzy == ["Records Office"] and completeness.untranslated == ["Date"]
    assert [outcome for lang, outcome in catalogs_compile(check=True) if lang == "so"] == ["stale"]
    assert catalog_completeness("ru").complete


def test_review_goes_stale_when_the_catalog_changes(world: World, translator, locale_copy: Path) -> None:
    review = services.catalog_review_record(language="vi", reviewed_by=translator)
    assert review.reviewed_by_name == "Tran Slator"
    status = {s.language: s for s in catalog_statuses(user=world.clerk)}
    assert status["vi"].reviewed and not status["vi"].stale
    assert not status["ar"].reviewed and status["ar"].review is None
    po = po_path("vi")
    po.write_text(po.read_text(encoding="utf-8").replace("Văn phòng Hồ sơ", "Phòng Hồ sơ"), encoding="utf-8")
    status = {s.language: s for s in catalog_statuses(user=world.clerk)}
    assert status["vi"].stale and not status["vi"].reviewed


def test_only_a_translator_or_administrator_marks_a_catalog_reviewed(world: World) -> None:
    for person in (world.clerk, world.parent, world.detective):
        with pytest.raises(NotAllowed):
            services.catalog_review_record(language="es", reviewed_by=person)
    admin = make_user("admin", "admin")
    assert services.catalog_review_record(language="es", reviewed_by=admin).language == "es"
    with pytest.raises(NotAllowed):
        catalog_statuses(user=world.parent)


@pytest.mark.urls("brightline.notices.tests.test_catalogs")
def test_catalog_page_shows_completeness_and_review_and_takes_a_review(
    client, world: World, translator
) -> None:
    _sign_in(client, translator)
    page = client.get("/notices/catalogs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-language="ar"' in html and "Complete" in html and "Not reviewed" in html
    response = client.post("/notices/catalogs/ar/review/")
    assert response.status_code == 302
    assert "Reviewed by Tran Slator" in client.get("/notices/catalogs/").content.decode()
    _sign_in(client, world.parent)
    assert client.get("/notices/catalogs/").status_code == 403


@pytest.mark.urls("brightline.notices.tests.test_catalogs")
def test_letters_page_lists_letters_owed_and_serves_the_pdf_to_the_records_office_only(
    client, world: World
) -> None:
    from brightline.notices.models import FamilyNotice, NoticeState
    from brightline.notices.tests.helpers import subpoena_approved

    request = subpoena_approved(world, world.alice)
    jose = FamilyNotice.objects.get(request=request, recipient_name="José Rivera")
    _sign_in(client, world.clerk)
    assert "José Rivera" in client.get("/notices/letters/").content.decode()
    pdf = client.get(f"/notices/{jose.pk}/letter.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.post(f"/notices/{jose.pk}/printed/").status_code == 302
    assert client.post(f"/notices/{jose.pk}/mailed/").status_code == 302
    jose.refresh_from_db()
    assert jose.state == NoticeState.MAILED
    _sign_in(client, world.detective)
    assert client.get(f"/notices/{jose.pk}/letter.pdf").status_code == 403
    assert client.get("/notices/letters/").status_code == 403


def test_letters_page_names_every_language_of_the_district_even_those_django_does_not_know(
    client, world: World
) -> None:
    """Haitian and Cape Verdean Creole are not in Django's table of languages: the page still opens."""
    from brightline.notices.models import FamilyNotice
    from brightline.notices.tests.helpers import subpoena_approved

    request = subpoena_approved(world, world.alice)
    jose = FamilyNotice.objects.get(request=request, recipient_name="José Rivera")
    FamilyNotice.objects.filter(pk=jose.pk).update(language="ht")
    _sign_in(client, world.clerk)
    page = client.get("/notices/letters/")
    assert page.status_code == 200
    assert "Haitian Creole (Kreyòl ayisyen), with English alongside" in page.content.decode()
