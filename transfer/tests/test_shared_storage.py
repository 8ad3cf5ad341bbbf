"""An import checked on one web server can be confirmed on another: the checked file waits in the
media storage they share, not on the first server's disk."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.factories import training_manager
from conftest import stored_objects
from tna.models import TrainingYear

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "01-training-years.csv"


def test_a_file_checked_on_one_web_server_is_imported_when_confirmed_on_another(s3_media, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    helen = training_manager(full_name="Helen Carter")
    first = Client()
    first.force_login(helen)
    preview = first.post(
        reverse("transfer:imports"),
        {"format": "training-years", "file": SimpleUploadedFile(EXAMPLE.name, EXAMPLE.read_bytes())},
    )
    assert "ready to import" in preview.content.decode()
    assert [name.split("/")[0] for name in stored_objects(s3_media)] == ["imports"]
    assert not TrainingYear.objects.exists()

    second = Client()  # the same person's next request, sent by the load balancer to another server
    second.cookies = first.cookies
    second.post(reverse("transfer:confirm"))
    assert sorted(TrainingYear.objects.values_list("name", flat=True)) == ["2024-25", "2025-26"]
    assert stored_objects(s3_media) == []  # the waiting file is gone once imported
    assert not (tmp_path / "media").exists()
