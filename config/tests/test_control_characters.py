"""No URL, query, form value or cookie answers 500, whatever characters it holds.

`/certificates/%00.pdf` once answered 500 on PostgreSQL ("A string literal cannot contain NUL"). Every
named URL is tried with a NUL in each of its path parameters, in a query value and in a form value,
signed in as the training manager (who may open the most pages); a NUL answers 400, other control
characters in typed values reach the form. Meaningful on PostgreSQL (CI), where a NUL reaching a lookup
fails; SQLite would store it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from config.tests import test_permission_matrix as matrix

MATRIX = matrix.MATRIX
world = matrix.world  # the permission matrix's objects of every kind, one of each, as a fixture

pytestmark = pytest.mark.django_db

# Matches every converter the URLs use (int, str, slug, path), so it can stand for any parameter.
MARKER = "987654321"


def manager_client(users) -> Client:
    client = Client(raise_request_exception=True)
    client.force_login(users["manager"])
    return client


def urls_with_a_nul_in_one_parameter(name, args):
    for position in range(len(args)):
        marked = reverse(name, args=[MARKER if i == position else a for i, a in enumerate(args)])
        yield marked.replace(MARKER, "98765%004321")


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_a_nul_in_any_path_parameter_query_or_form_value_is_refused_not_a_500(world, name):
    users, ids = world
    client = manager_client(users)
    args = [ids[a] for a in MATRIX[name][0]]
    for url in urls_with_a_nul_in_one_parameter(name, args):
        assert client.get(url).status_code == 400, url
        assert client.post(url, {"name": "Aisha Khan"}).status_code == 400, url
    url = reverse(name, args=args)
    assert client.get(url, {"q": "Aisha\x00", "page": "\x00", "next": "/\x00"}).status_code == 400, url
    assert client.post(url, {"name": "Aisha\x00Khan", "email": "a@example.org"}).status_code == 400, url
    assert client.post(url, {"na\x00me": "Aisha Khan"}).status_code == 400, url


def test_the_certificate_address_with_a_nul_answers_400(client):
    response = client.get("/certificates/%00.pdf")
    assert response.status_code == 400
    assert "There is a problem with your request" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/courses%0a", "/courses/%01", "/certificates/%1b%5b31m.pdf", "/courses%7f", "/%0d%0aSet-Cookie:x"]
)
def test_a_control_character_anywhere_in_the_path_answers_400(client, path):
    assert client.get(path).status_code == 400


def test_a_session_cookie_holding_a_nul_answers_400_not_a_failed_lookup(client):
    # Django reads "\000" inside a quoted cookie as a NUL; the session lookup would then fail.
    assert client.get("/courses", HTTP_COOKIE='sessionid="abc\\000def"').status_code == 400


def test_an_upload_whose_name_holds_a_nul_is_read_as_any_other(world):
    # Django's form parser cleans file names; the preview of the file is shown.
    users, ids = world
    upload = SimpleUploadedFile("needs\x00.csv", b"Agency,Course\n", "text/csv")
    response = manager_client(users).post(reverse("tna:import", args=[ids["cycle"]]), {"file": upload})
    assert response.status_code == 200


def test_other_control_characters_in_a_search_reach_the_page(client):
    # A vertical tab or form feed pasted from a word processor is not refused: the page deals with it.
    assert client.get("/courses", {"q": "Working\x0bTogether\x0c"}).status_code == 200


def test_a_form_that_cannot_be_read_is_shown_again_with_its_problems(world):
    users, _ = world
    response = manager_client(users).generic(
        "POST", reverse("courses:manage-session-new"), b"--x\r\nbroken", "multipart/form-data; boundary=x"
    )
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
