from typing import cast

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class FairUse(AnonRateThrottle):
    """Requests per client address; the rate is read per request from settings (README: API)."""

    def get_rate(self) -> str:
        rates = cast(dict[str, str], settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
        return rates[self.scope]
