"""Pages served from the cache between writes (common/pagecache.py): what people see stays right.

The write paths themselves (requests, the worker, imports, raw SQL, another process, rollbacks)
are in test_writes_show.py."""

import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, agency_lead, training_manager
from accounts.models import User
from accounts.roles import Role
from courses.factories import BookingFactory, CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db

CATALOGUE = "/courses"


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="accounts.backends.EmailBackend")
    return client


def get(client, url=CATALOGUE):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_second_person_in_the_same_position_gets_the_page_without_building_it(police):
    CourseFactory(title="Working Together to Safeguard Children")
    # Signing in is a write; both have signed in before either looks.
    aisha, tom = (
        signed_in(UserFactory(full_name="Aisha Khan", agency=police)),
        signed_in(UserFactory(full_name="Tom Fletcher", agency=police)),
    )
    first, built = get(aisha)
    second, served = get(tom)
    assert "Working Together to Safeguard Children" in first and "Working Together to Safeguard Children" in second
    assert served < built and served <= 3  # the session, the person and their roles; none of the page's own
    # Each sees their own name in the header, never the other's.
    assert "Aisha Khan" in first and "Tom Fletcher" not in first
    assert "Tom Fletcher" in second and "Aisha Khan" not in second


def test_the_csrf_token_in_a_cached_page_is_the_readers_own(police):
    CourseFactory(title="Recognising and Responding to Neglect")
    first, reader = (
        signed_in(UserFactory(agency=police)),
        signed_in(UserFactory(full_name="Tom Fletcher", agency=police)),
    )
    get(first)
    page, _ = get(reader)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert "<!--" not in token
    response = reader.post(reverse("accounts:sign-out"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302  # the sign-out form on the cached page works


def test_a_new_session_shows_at_once(client):
    course = CourseFactory(title="Child Sexual Exploitation")
    before, _ = get(client, reverse("courses:course", args=[course.slug]))
    SessionFactory(course=course, capacity=12)
    after, _ = get(client, reverse("courses:course", args=[course.slug]))
    assert "12 left" not in before
    assert "12 left" in after


def test_a_booking_changes_the_places_left_on_the_next_view(police):
    session = SessionFactory(course=CourseFactory(title="Domestic Abuse and its Impact on Children"), capacity=10)
    person = UserFactory(agency=police)
    client = signed_in(person)
    url = reverse("courses:course", args=[session.course.slug])
    assert "10 left" in get(client, url)[0]
    client = Client()
    client.force_login(person, backend="accounts.backends.EmailBackend")
    assert client.post(reverse("courses:book", args=[session.pk])).status_code == 302
    assert "9 left" in get(client, url)[0]


def test_a_page_with_a_message_to_show_is_built_for_it(police):
    CourseFactory(title="Safer Recruitment")
    client = signed_in(UserFactory(agency=police))
    get(client)
    storage = CookieStorage(HttpRequest())
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Your place is booked.")])
    assert "Your place is booked." in get(client)[0]
    assert "Your place is booked." not in get(client)[0]  # shown once; the cached page never had it


def test_people_in_different_positions_get_different_pages(police):
    CourseFactory(title="Working Together to Safeguard Children")
    staff_page, _ = get(signed_in(UserFactory(agency=police)))
    lead_page, _ = get(signed_in(agency_lead(agency=police)))
    manager_page, _ = get(signed_in(training_manager()))
    assert "Training needs" not in staff_page
    assert "Training needs" in lead_page and "Our people" in lead_page
    assert "People" in manager_page and "Our people" not in manager_page


def test_my_training_is_never_another_persons(police):
    mine = UserFactory(full_name="Aisha Khan", agency=police)
    theirs = UserFactory(full_name="Tom Fletcher", agency=police)
    BookingFactory(person=theirs, session=SessionFactory(course=CourseFactory(title="Contextual Safeguarding")))
    assert "Contextual Safeguarding" in get(signed_in(theirs), reverse("courses:my-training"))[0]
    assert "Contextual Safeguarding" not in get(signed_in(mine), reverse("courses:my-training"))[0]


def test_a_new_role_and_a_deactivation_take_effect_on_the_next_request(police):
    person = UserFactory(agency=police)
    client = signed_in(person)
    assert "Training needs" not in get(client)[0]
    person.groups.add(Group.objects.get_or_create(name=Role.AGENCY_LEAD.value)[0])
    assert "Training needs" in get(client)[0]
    person.groups.remove(Group.objects.get(name=Role.AGENCY_LEAD.value))
    assert "Training needs" not in get(client)[0]
    User.objects.filter(pk=person.pk).update(is_active=False)  # a bulk update, as a retention sweep does
    assert client.get(reverse("courses:my-training")).status_code == 302  # signed out: to the sign-in page


def test_another_agency_gets_its_own_copy_of_a_page_that_may_differ_by_agency(police):
    url = reverse("courses:manage-sessions")
    people = [
        signed_in(training_manager(agency=police)),
        signed_in(training_manager(agency=AgencyFactory(name="Northshire Council"))),
        signed_in(training_manager(agency=police)),
    ]
    _, built = get(people[0], url)
    _, other_agency = get(people[1], url)
    _, same_agency = get(people[2], url)
    assert other_agency == built > same_agency


def test_the_catalogue_is_the_same_for_every_agency_and_the_cache_can_be_turned_off(settings, police):
    CourseFactory(title="Safeguarding Adolescents")
    people = [
        signed_in(UserFactory(agency=police)),
        signed_in(UserFactory(agency=AgencyFactory(name="Riverside Academy Trust"))),
        signed_in(UserFactory(agency=police)),
    ]
    _, built = get(people[0])
    _, other_agency = get(people[1])
    assert other_agency < built
    settings.PAGE_CACHE_SECONDS = 0
    _, uncached = get(people[2])
    assert uncached == built


def test_readers_arriving_together_after_a_write_wait_for_one_build():
    """Right after a write every reader misses at once; one builds the page, the others wait for it."""
    import threading
    import time

    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.test import RequestFactory

    from common.pagecache import shared_page

    builds = []

    @shared_page
    def slow_page(request):
        builds.append(1)
        time.sleep(0.3)  # the catalogue takes tens of milliseconds; long enough for all to arrive
        return HttpResponse("<p>Working Together to Safeguard Children</p>")

    def reader(out):
        request = RequestFactory().get("/courses")
        request.user = AnonymousUser()
        out.append(slow_page(request).content)

    pages = []
    threads = [threading.Thread(target=reader, args=(pages,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert pages == [b"<p>Working Together to Safeguard Children</p>"] * 4
