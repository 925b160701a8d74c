"""Response headers that keep pages inert to injected markup, out of other sites' frames, and on HTTPS.

What each defends against is tested in tests/security/test_headers.py; cookie flags are set in
core/config.py (Secure exactly when BASE_URL is https, unless configured otherwise).
"""

from __future__ import annotations

from flask import Flask, Response

# No inline script anywhere (all behaviour lives in static/js); Pico draws its icons with data: SVGs.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# A site served over HTTPS stays on HTTPS: browsers refuse a downgrade for a year after a visit.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def register(app: Flask) -> None:
    https = app.config["BASE_URL"].startswith("https://")

    @app.after_request
    def security_headers(response: Response) -> Response:
        # setdefault: a response may bring a stricter policy of its own (attachment downloads do).
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # Reset and confirmation links carry their token in the path: never send it to another site.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if https:
            response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
        return response
