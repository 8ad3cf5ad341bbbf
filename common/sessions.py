"""Sessions kept in the shared cache (Redis) with the database behind it, as Django's `cached_db`
engine keeps them, but read in the same round trip to Redis as the page generation.

Every signed-in request reads its session, and every page reads the generation (common/pagecache.py):
two round trips to Redis before any work, most of what the signed-in bare view cost beyond the bare
view. Reading both at once makes it one.
"""

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore

from . import pagecache


class SessionStore(CachedDbStore):
    def load(self):
        if settings.SESSION_CACHE_ALIAS != "default":  # the generation lives in the default cache
            return super().load()
        try:
            data = pagecache.read_with_generation(self.cache_key)
        except Exception:  # as cached_db: a key the cache refuses means no session
            data = None
        if data is None:
            found = self._get_session_from_db()
            if found:
                data = self.decode(found.session_data)
                self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=found.expire_date))
            else:
                data = {}
        return data
