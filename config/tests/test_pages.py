"""What every page says about itself: a plain-text title that names it, and a caption on every table.

The pages are those the permission matrix visits, each opened as a role that may see it, over the
same world of objects. A title with markup in it is read out as markup by screen readers and shown
raw in the browser tab; a table without a caption is announced as just "table".
"""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.factories import AgencyFactory
from config.tests import test_permission_matrix as matrix

# The permission matrix's world of objects, one of each kind, in agency A.
world = matrix.world

# Who opens each page: the first role (in this order) the matrix lets see it.
PREFERENCE = ("manager", "lead_a", "trainer", "board", "staff", "anonymous")


def pages():
    for name, (arg_names, expected, _post) in sorted(matrix.MATRIX.items()):
        role = next((role for role in PREFERENCE if expected[role] == 200), None)
        if role is not None:
            yield pytest.param(name, arg_names, role, id=name)


class PageParts(HTMLParser):
    """The title's raw contents, and each table with the text of its caption (None if it has none)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = None
        self.in_title = False
        self.title_has_markup = False
        self.tables = []  # [caption text or None]
        self.open_tables = []
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        if self.in_title:
            self.title_has_markup = True
        if tag == "title":
            self.in_title, self.title = True, ""
        elif tag == "table":
            self.tables.append(None)
            self.open_tables.append(len(self.tables) - 1)
        elif tag == "caption" and self.open_tables:
            self.in_caption = True
            self.tables[self.open_tables[-1]] = ""

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag == "table" and self.open_tables:
            self.open_tables.pop()
        elif tag == "caption":
            self.in_caption = False

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        if self.in_caption and self.open_tables:
            self.tables[self.open_tables[-1]] += data


def open_page(client, world, name, arg_names, role):
    users, args = world
    if users[role] is not None:
        client.force_login(users[role])
    response = client.get(reverse(name, args=[args[a] for a in arg_names]))
    assert response.status_code == 200, name
    return response


@pytest.mark.parametrize(("name", "arg_names", "role"), list(pages()))
def test_every_page_has_a_plain_text_title_that_names_it_and_captions_its_tables(client, world, name, arg_names, role):
    response = open_page(client, world, name, arg_names, role)
    if not response["Content-Type"].startswith("text/html"):
        return  # a CSV, a PDF or a calendar file: no title to read
    parts = PageParts()
    parts.feed(response.content.decode())

    assert parts.title is not None, f"{name} has no <title>"
    assert not parts.title_has_markup and "<" not in parts.title, f"{name}'s title has markup: {parts.title!r}"
    page_name = parts.title.strip().removesuffix(f"– {settings.SERVICE_NAME}").removeprefix("Error:").strip()
    assert page_name, f"{name}'s title names only the service: {parts.title!r}"
    assert page_name != settings.SERVICE_NAME or name == "home", f"{name}'s title does not name the page"

    for number, caption in enumerate(parts.tables, start=1):
        assert caption is not None, f"table {number} on {name} has no caption"
        assert caption.strip(), f"table {number} on {name} has an empty caption"


def test_the_training_needs_overview_title_is_just_its_name(client, world):
    users, args = world
    client.force_login(users["manager"])
    response = client.get(reverse("tna:cycle", args=[args["cycle"]]))
    parts = PageParts()
    parts.feed(response.content.decode())
    assert parts.title.strip() == f"Training needs analysis 2026-27 – {settings.SERVICE_NAME}"


# --- The error summary --------------------------------------------------------------------------


class ErrorSummary(HTMLParser):
    """The error summary's title and links, and every element's id with its tag (to follow the links)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = {}
        self.summaries = 0
        self.title = ""
        self.links = []  # [(href, text)]
        self.depth = 0  # how deep inside the summary we are, 0 outside it
        self.in_title = self.in_link = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids[attrs["id"]] = (tag, attrs.get("type"))
        if self.depth:
            self.depth += tag not in ("input", "br", "img")
            if tag == "h2":
                self.in_title = True
            if tag == "a":
                self.in_link = True
                self.links.append([attrs.get("href", ""), ""])
        elif "govuk-error-summary" in (attrs.get("class") or "").split():
            assert attrs.get("data-module") == "govuk-error-summary"
            self.summaries += 1
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
            self.in_title = self.in_title and tag != "h2"
            self.in_link = self.in_link and tag != "a"

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        if self.in_link:
            self.links[-1][1] += data


def error_summary(response):
    """The summary's links as {message: the tag and type of the element it links to}, checking the
    summary is GOV.UK's: one of it, titled "There is a problem", each link landing on the page."""
    page = ErrorSummary()
    page.feed(response.content.decode())
    assert page.summaries == 1, "the page should have one error summary"
    assert page.title.strip() == "There is a problem"
    found = {}
    for href, text in page.links:
        assert href.startswith("#") and href[1:] in page.ids, f"the link for {text.strip()!r} lands nowhere: {href}"
        found[" ".join(text.split())] = page.ids[href[1:]]
    return found


def test_a_form_drawn_by_crispy_forms_links_each_error_to_its_field(client, world):
    users, _ = world
    client.force_login(users["manager"])
    response = client.post(reverse("courses:manage-venue-new"), {"name": "", "address": "", "postcode": "NT1"})
    assert error_summary(response) == {
        "Enter the venue's name": ("input", "text"),
        "Enter the address": ("textarea", None),
        "Enter a real postcode, like NT1 2AB": ("input", "text"),
        "Enter how many people the venue holds": ("input", "text"),
    }
    assert "<title>Error: " in response.content.decode()


def test_an_error_on_radios_links_to_the_first_radio(client, world):
    users, args = world
    client.force_login(users["manager"])
    response = client.post(reverse("evaluation:issue", args=[args["issue"]]), {"status": "", "note": ""})
    assert error_summary(response) == {"Choose a status": ("input", "radio"), "Say what happened": ("textarea", None)}


def test_an_error_in_a_row_of_dates_names_the_row_and_links_to_it(client, world):
    users, args = world
    client.force_login(users["manager"])
    data = {"dates-TOTAL_FORMS": "2", "dates-INITIAL_FORMS": "0", "dates-MIN_NUM_FORMS": "0"}
    data |= {"dates-MAX_NUM_FORMS": "1000", "dates-0-date": "31/02/2027", "dates-0-start": "09:30"}
    data |= {"dates-0-end": "16:00"}
    response = client.post(reverse("courses:manage-session-new"), data)
    found = error_summary(response)
    date_errors = {message: tag for message, tag in found.items() if message.startswith("Date 1: ")}
    assert date_errors and set(date_errors.values()) == {("input", "text")}, found
    assert 'href="#id_dates-0-date"' in response.content.decode()


def test_a_form_drawn_by_hand_links_each_error_to_its_box(client, world):
    users, args = world
    client.force_login(users["manager"])
    url = reverse("tna:contributions", args=[args["year"]])
    agency = AgencyFactory(name="Northshire County Council", sector="local_authority")
    response = client.post(url, {f"agency_{agency.pk}": "a lot"})
    found = error_summary(response)
    assert list(found.values()) == [("input", "text")], found
    assert f'href="#id_agency_{agency.pk}"' in response.content.decode()


def test_a_file_with_problems_links_them_to_the_file_box(client, world):
    users, args = world
    client.force_login(users["manager"])
    upload = SimpleUploadedFile("needs.csv", b"Agency,Course\nNorthshire Police,Working Together\n", "text/csv")
    response = client.post(reverse("tna:import", args=[args["cycle"]]), {"file": upload})
    found = error_summary(response)
    assert found and set(found.values()) == {("input", "file")}, found
    assert any("missing column" in message.lower() for message in found), found
    assert "<title>Error: " in response.content.decode()


def test_a_list_filter_that_cannot_be_read_says_so_by_the_field(client, world):
    users, _ = world
    client.force_login(users["manager"])
    response = client.get(reverse("manage:audit"), {"date_from": "31/02/2026"})
    assert response.status_code == 200
    found = error_summary(response)
    assert len(found) == 1 and list(found.values()) == [("input", "text")], found
    page = response.content.decode()
    assert 'href="#id_date_from"' in page and "govuk-form-group--error" in page
    assert 'aria-describedby="id_date_from-error"' in page and "govuk-input--error" in page
    assert "<title>Error: Audit trail" in page


def test_signing_up_with_nothing_filled_in_links_every_problem_to_its_question(client, world):
    response = client.post(reverse("accounts:sign-up"), {})
    found = error_summary(response)
    assert len(found) >= 5, found
    assert found["Enter your full name"] == ("input", "text")
    # Radios (the staff group) are reached through their first radio, as crispy-forms-gds numbers them.
    assert ("input", "radio") in found.values(), found


def test_agreed_trainer_days_drawn_by_hand_link_each_problem_to_its_box(client, world):
    users, args = world
    client.force_login(users["manager"])
    agency = AgencyFactory(name="Northshire County Council")
    response = client.post(reverse("pool:commitments-edit", args=[args["year"]]), {f"agency_{agency.pk}": "1.25"})
    found = error_summary(response)
    assert list(found.values()) == [("input", "text")], found
    assert f'href="#id_agency_{agency.pk}"' in response.content.decode()
