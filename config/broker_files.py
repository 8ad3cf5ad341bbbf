"""kombu's filesystem transport, with each message written whole before a worker can see it.

The broker `make run` uses when no Redis is set (`filesystem://`). kombu writes a message straight
into the queue folder under its final name, so a worker polling the folder can take the file while it
is still being written, read half a message and stop with "Unrecoverable error: JSONDecodeError",
which ends the demo's other processes too. Here the message is written under a name the worker skips
("...msg.part") and renamed into place when complete: a rename within one folder is atomic, so a
worker sees a whole message or none.
"""

import os
import uuid
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.part"
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
