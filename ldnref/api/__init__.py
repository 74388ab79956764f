"""The read-only REST API (/api/v1/): the pages' published content as data."""
