"""Settings for the test suite: ldnref.settings with a development default and a fast hasher.

pytest-django imports the settings before any conftest.py runs, so the default for DEBUG
has to be set here. It only applies when neither DEBUG nor SECRET_KEY is set; Django's test
runner turns DEBUG off while tests run either way.
"""

import os

if not os.environ.get("SECRET_KEY"):
    os.environ.setdefault("DEBUG", "1")

from ldnref.settings import *  # noqa: E402, F403

# Hashing passwords the production way costs ~0.3s per user; tests need no security here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Serve static files from the app folders, as in development, without a collectstatic step,
# and link them by their plain names: tests run with DEBUG off and no manifest.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The page cache is off (a dummy cache) unless a test turns it on: in tests the content
# version rarely moves (nothing commits), so a real cache would carry pages across tests.
# The default cache stays real (DRF's throttling counts in it).
CACHES = {
    **CACHES,  # noqa: F405
    "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
PAGE_CACHE_ALIAS = "pages"

# Build on publish (ldnref.publish) is off unless a test turns it on: building every page on
# each content change would slow every test that saves content. Readers check the content
# version on every request, so a change shows at once, as tests expect.
PUBLISH_ON_CHANGE = False
PAGE_VERSION_CHECK_SECONDS = 0
