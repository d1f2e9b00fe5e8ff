"""The boundary around a task page: a sandboxed frame with a strict Content-Security-Policy.

The portal page embeds the rendered template in
`<iframe sandbox="allow-scripts allow-forms allow-popups">` (no
allow-same-origin), so the frame runs with an opaque origin: it cannot read
the portal's cookies, storage or DOM, and its requests are cross-site, so the
session cookie (SameSite=Lax) is not sent with them. The CSP below also
forbids fetch/XHR/WebSocket (connect-src 'none') and form posts
(form-action 'none'). The only way out is postMessage to the parent, which
checks the sender and posts the answer itself (static/review_ui/portal.js).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

IFRAME_SANDBOX = "allow-scripts allow-forms allow-popups"


def frame_csp(request: HttpRequest) -> str:
    """Return the Content-Security-Policy for a rendered task frame."""
    # 'self' is spelled out as the origin too: inside an opaque-origin sandbox
    # some browsers match 'self' against nothing.
    origin = request.build_absolute_uri("/").rstrip("/")
    return "; ".join(
        [
            "default-src 'none'",
            # Templates carry inline scripts and the AWS samples evaluate code; the
            # bundle and vendored libraries come from our static files.
            f"script-src 'self' {origin} 'unsafe-inline' 'unsafe-eval'",
            f"style-src 'self' {origin} 'unsafe-inline'",
            "img-src * data: blob:",
            "media-src * data: blob:",
            "font-src * data:",
            "frame-src *",
            "worker-src blob:",
            "connect-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
        ]
    )


def protect_frame(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Add the frame's CSP and anti-framing headers to `response`."""
    response["Content-Security-Policy"] = frame_csp(request)
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response
