"""Security headers the framework does not set by itself, and the methods public pages answer."""

from django.conf import settings
from django.http import HttpResponseNotAllowed, JsonResponse

# Pages load nothing but our own stylesheet: no inline script or style, no CDN.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# The admin (and its Markdown preview) also runs Django's own scripts from our static files
# and fetches autocomplete results from its own address; still nothing inline, nothing remote.
ADMIN_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# No page uses any of these browser features; nothing embedded may either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
)

# What the public pages and exports answer; the admin and the API have their own rules.
SAFE_METHODS = ("GET", "HEAD")
API_METHODS = ("GET", "HEAD", "OPTIONS")


class PermissionsPolicyMiddleware:
    """Permissions-Policy on every response, static files included (it sits outside WhiteNoise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class SafeMethodsMiddleware:
    """Public pages and exports answer GET and HEAD; any other method gets 405 with Allow.

    It answers before the CSRF check (a view middleware), so a POST gets 405, never a CSRF
    page and never the page itself. The read-only API also answers OPTIONS (CORS, DRF's
    metadata); every other method there is a JSON 405, whatever the address. The admin has
    forms and keeps its own rules.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_PATH

    def __call__(self, request):
        api = request.path.startswith("/api/")
        allowed = API_METHODS if api else SAFE_METHODS
        if request.method in allowed or request.path.startswith(self.admin_prefix):
            return self.get_response(request)
        if api:
            response = JsonResponse(
                {"detail": f'Method "{request.method}" not allowed.'}, status=405
            )
            response.headers["Allow"] = ", ".join(allowed)
            return response
        response = HttpResponseNotAllowed(
            allowed, "Method not allowed: this address answers GET and HEAD only.\n"
        )
        response.headers["Content-Type"] = "text/plain; charset=utf-8"
        return response


class ContentSecurityPolicyMiddleware:
    """Send a strict Content-Security-Policy on every response, the admin's a little wider."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_PATH

    def __call__(self, request):
        response = self.get_response(request)
        policy = (
            ADMIN_CONTENT_SECURITY_POLICY
            if request.path.startswith(self.admin_prefix)
            else CONTENT_SECURITY_POLICY
        )
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
