"""Which media storage the environment chooses, and the refusals of a half-configured one."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.media_storage import media_storage_from_environment

ROOT = Path(__file__).resolve().parents[2]


def test_local_files_are_the_default(monkeypatch):
    monkeypatch.delenv("MEDIA_STORAGE", raising=False)
    assert media_storage_from_environment() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_an_s3_compatible_server_is_addressed_by_path_and_keeps_files_private(monkeypatch):
    monkeypatch.setenv("MEDIA_STORAGE", "s3")
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "northshire-training")
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "https://objects.council.example.org:9000")
    options = media_storage_from_environment()["OPTIONS"]
    assert options["bucket_name"] == "northshire-training"
    assert options["endpoint_url"] == "https://objects.council.example.org:9000"
    assert options["addressing_style"] == "path" and options["default_acl"] is None
    assert options["file_overwrite"] is False
    monkeypatch.delenv("AWS_S3_ENDPOINT_URL")  # Amazon S3 itself: its own addressing
    assert media_storage_from_environment()["OPTIONS"]["addressing_style"] is None


@pytest.mark.parametrize(
    ("environment", "refusal"),
    [
        ({"MEDIA_STORAGE": "s3"}, "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME"),
        ({"MEDIA_STORAGE": "S3 bucket"}, "MEDIA_STORAGE must be local or s3, not 'S3 bucket'"),
    ],
)
def test_a_half_configured_storage_stops_the_site_starting(monkeypatch, environment, refusal):
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=refusal):
        media_storage_from_environment()


def test_production_with_media_in_a_bucket_passes_check_deploy():
    from config.tests.test_settings import manage, production

    result = manage(
        "check",
        "--deploy",
        **production(
            MEDIA_STORAGE="s3",
            AWS_STORAGE_BUCKET_NAME="northshire-training",
            AWS_S3_ENDPOINT_URL="https://objects.council.example.org:9000",
        ),
    )
    assert result.returncode == 0, result.stderr
    assert "WARNINGS" not in result.stderr
