import pytest

pytestmark = pytest.mark.django_db


def test_home_page_is_vietnamese_by_default_and_links_to_login(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html and "/accounts/login/" in html


def test_staff_can_log_in_and_see_their_area(client, world):
    response = client.post("/accounts/login/", {"username": "officer-a", "password": "pass-word-123"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/pakn/hop-thu/"  # an officer's start page is the inbox


def test_language_switch_gives_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert '<html lang="en">' in response.content.decode()
