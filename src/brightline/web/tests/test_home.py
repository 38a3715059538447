import pytest
from django.test import Client


@pytest.mark.django_db
def test_home_page_names_the_product_and_offers_sign_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Bright Line</h1>" in body
    assert 'href="/accounts/sign-in/"' in body


def test_openapi_document_is_served(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Bright Line API"
