"""Sign-in backend: Django's model backend, with the signed-in user read from the reference
cache on each request instead of the database (see huduma.core.refcache)."""

import copy

from django.contrib.auth.backends import ModelBackend

from huduma.core import refcache


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = refcache.get(
            ("user", str(user_id)), lambda: super(CachedModelBackend, self).get_user(user_id)
        )
        # Each request gets its own copy: views may set attributes on request.user.
        return copy.copy(user) if user is not None else None
