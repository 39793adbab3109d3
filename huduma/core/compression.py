"""Smaller responses for citizens on 2G: text answers gzipped by the application.

Static files are compressed once, at collectstatic (huduma.core.staticfiles); this compresses
what the views answer. Django's GZipMiddleware pads each response with random bytes (its BREACH
mitigation, beside the per-request masking of CSRF tokens), so a secret in a compressed page
cannot be guessed from response sizes.
"""

from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware

# Worth compressing: text. A PDF, an image or an archive is compressed already (gzip would only
# spend CPU), and a server-sent event stream would sit in the compressor's buffer instead of
# reaching the browser event by event.
COMPRESSIBLE_TYPES = frozenset(
    {
        "text/html",
        "text/plain",
        "text/css",
        "text/csv",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/xml",
        "image/svg+xml",
    }
)


class GZipMiddleware(DjangoGZipMiddleware):
    """Django's GZipMiddleware for text responses only (see COMPRESSIBLE_TYPES)."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").partition(";")[0].strip().lower()
        if content_type not in COMPRESSIBLE_TYPES:
            return response
        return super().process_response(request, response)
