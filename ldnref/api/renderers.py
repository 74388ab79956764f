"""Citation exports and FHIR as DRF renderers: `?format=` or the Accept header picks one.

The citation renderers take a list of Sources and write them with evidence.export, the same
functions as the /sources/<key>.ris pages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rest_framework.renderers import BaseRenderer

from evidence import export


class CitationRenderer(BaseRenderer):
    """Base of the three citation formats; each subclass defines `write(sources) -> str`."""

    charset = "utf-8"
    extension = ""
    write: Callable[[list[Any]], str]

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code < 400:
            name = (renderer_context or {}).get("filename", "references")
            disposition = f'attachment; filename="{name}.{self.extension}"'
            response["Content-Disposition"] = disposition
        return self.write(data).encode("utf-8")


class RisRenderer(CitationRenderer):
    media_type = "application/x-research-info-systems"
    format = "ris"
    extension = "ris"

    def write(self, sources: list[Any]) -> str:
        return "".join(export.to_ris(source) for source in sources)


class BibTexRenderer(CitationRenderer):
    media_type = "application/x-bibtex"
    format = "bibtex"
    extension = "bib"

    def write(self, sources: list[Any]) -> str:
        return "\n".join(export.to_bibtex(source) for source in sources)


class CslJsonRenderer(CitationRenderer):
    media_type = "application/vnd.citationstyles.csl+json"
    format = "csl-json"
    extension = "json"

    def write(self, sources: list[Any]) -> str:
        return export.to_csl_json(sources)


CITATION_RENDERERS = [CslJsonRenderer, RisRenderer, BibTexRenderer]


class FhirJsonRenderer(BaseRenderer):
    """A FHIR resource (fhir.resources model) as application/fhir+json."""

    media_type = "application/fhir+json"
    format = "fhir"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        if hasattr(data, "model_dump_json"):
            return data.model_dump_json(exclude_none=True).encode("utf-8")
        return json.dumps(data).encode("utf-8")
