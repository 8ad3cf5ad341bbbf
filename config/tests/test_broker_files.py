"""The filesystem broker `make run` uses writes a message whole before a worker can take it."""

import json
import os

from kombu import Connection


def test_a_message_is_in_the_queue_folder_only_once_written_whole(tmp_path, monkeypatch):
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    seen_before_rename = []
    real_replace = os.replace

    def watched_replace(src, dst):
        # At the moment the finished file is renamed into place, no message a worker takes is there yet.
        seen_before_rename.append(sorted(p.name for p in folder.iterdir() if p.name.endswith(".celery.msg")))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watched_replace)
    with Connection("filesystem://", transport_options=options) as connection:
        assert type(connection.transport).__module__ == "config.broker_files"
        channel = connection.default_channel
        channel._put("celery", {"body": "x" * 100_000})
        assert seen_before_rename == [[]]
        (message,) = folder.iterdir()
        assert message.name.endswith(".celery.msg")
        assert json.loads(message.read_text())["body"] == "x" * 100_000
        assert channel._get("celery")["body"] == "x" * 100_000
