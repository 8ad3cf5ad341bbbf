import pytest
from django.contrib.auth.models import Permission
from django.db.models import Count

from common.rows import raw_rows

pytestmark = pytest.mark.django_db


def test_raw_rows_are_the_querysets_rows_as_tuples_in_one_query(django_assert_num_queries):
    counted = Permission.objects.values_list("content_type").annotate(n=Count("pk")).order_by("content_type")
    with django_assert_num_queries(1):
        rows = raw_rows(counted)
    assert rows and rows == list(counted)
    assert all(type(n) is int for _, n in rows)
