import pytest
from django.contrib.auth.models import Permission
from django.db.models import Count

from common.rows import Among, raw_rows

pytestmark = pytest.mark.django_db


def test_raw_rows_are_the_querysets_rows_as_tuples_in_one_query(django_assert_num_queries):
    counted = Permission.objects.values_list("content_type").annotate(n=Count("pk")).order_by("content_type")
    with django_assert_num_queries(1):
        rows = raw_rows(counted)
    assert rows and rows == list(counted)
    assert all(type(n) is int for _, n in rows)


def test_among_keeps_the_rows_whose_column_is_one_of_the_ids_the_query_selects():
    from django.contrib.contenttypes.models import ContentType

    auth = ContentType.objects.filter(app_label="auth").values("pk")
    kept = Permission.objects.filter(Among("content_type", auth))
    assert set(kept) == set(Permission.objects.filter(content_type__app_label="auth"))
    assert kept.exists() and Permission.objects.exclude(Among("content_type", auth)).exists()
