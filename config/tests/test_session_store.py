"""Sessions in the shared cache, read in one round trip with the page generation (common/sessions.py)."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client, override_settings

from accounts.factories import UserFactory
from common import pagecache
from common.sessions import SessionStore

pytestmark = pytest.mark.django_db


@override_settings(SESSION_ENGINE="common.sessions")
def test_a_signed_in_page_reads_its_session_and_the_generation_in_one_round_trip():
    person = UserFactory(full_name="Tom Fletcher")
    client = Client()
    client.force_login(person)
    assert client.get("/courses").status_code == 200  # the generation exists from now on
    asked, inside = [], []

    def get(self, key, *args, **kwargs):
        if not inside:  # the local memory cache's get_many asks get for each key: one round trip
            asked.append((key,))
        return original_get(self, key, *args, **kwargs)

    def get_many(self, keys, *args, **kwargs):
        asked.append(tuple(keys))
        inside.append(True)
        try:
            return original_get_many(self, keys, *args, **kwargs)
        finally:
            inside.pop()

    original_get, original_get_many = LocMemCache.get, LocMemCache.get_many
    with mock.patch.object(LocMemCache, "get", get), mock.patch.object(LocMemCache, "get_many", get_many):
        page = client.get("/courses").content.decode()
    assert "Tom Fletcher" in page  # signed in, from the session
    session_reads = [keys for keys in asked if any("sessions" in key for key in keys)]
    generation_reads = [keys for keys in asked if pagecache.GENERATION_KEY in keys]
    assert len(session_reads) == 1 and generation_reads == session_reads


def test_a_session_outlives_the_cache_being_emptied():
    store = SessionStore()
    store["course"] = "Working Together to Safeguard Children"
    store.create()
    cache.clear()
    assert SessionStore(store.session_key)["course"] == "Working Together to Safeguard Children"


def test_outside_a_request_a_session_is_read_on_its_own():
    store = SessionStore()
    store["step"] = 2
    store.create()
    assert SessionStore(store.session_key)["step"] == 2
