"""Static files for slow links: content-hashed names and a gzip copy of each, made once.

`collectstatic` writes css/huduma.<hash>.css and css/huduma.<hash>.css.gz beside it (WhiteNoise's
CompressedManifestStaticFilesStorage); WhiteNoise, or nginx with gzip_static, serves the
compressed copy and caches hashed names for ever (a change makes a new name).
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names once collectstatic has run; before it (tests, a checkout started without
    it) the plain names, served by WhiteNoise from the app folders with a short max-age,
    instead of every page failing on the missing manifest. A manifest that lacks a file still
    fails loudly: that is a bug, not a missing step."""

    def stored_name(self, name):
        if not self.hashed_files and not self.manifest_hash:
            return name
        return super().stored_name(name)
