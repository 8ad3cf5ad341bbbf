"""Where generated files and imports waiting to be confirmed are kept, from the environment.

Read by the settings (STORAGES["default"]) and by the tests that run the site on an S3-compatible
server, so both configure the storage the same way.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_str


def media_storage_from_environment() -> dict:
    """MEDIA_STORAGE=local (files under MEDIA_ROOT) or s3 (a private bucket, AWS_STORAGE_BUCKET_NAME)."""
    kind = env_str("MEDIA_STORAGE", "local")
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"MEDIA_STORAGE must be local or s3, not {kind!r}")
    bucket = env_str("AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME, the bucket that holds the files")
    endpoint = env_str("AWS_S3_ENDPOINT_URL")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            # Empty for Amazon S3; the server's address for any other (https://minio.internal:9000).
            "endpoint_url": endpoint or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            # A folder inside the bucket, so one bucket can serve several partnerships.
            "location": env_str("AWS_LOCATION"),
            # Servers other than Amazon's are usually addressed as https://host/bucket.
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE", "path" if endpoint else "") or None,
            "signature_version": "s3v4",
            "default_acl": None,  # the bucket's own: private
            # As on disk: a second file of the same name gets a new name, never replaces the first.
            "file_overwrite": False,
        },
    }
