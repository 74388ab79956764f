"""OpenAPI additions drf-spectacular cannot infer: the error answers every operation may give."""

from typing import Any

ERROR = {
    "type": "object",
    "description": "Every error answer: `detail` says what went wrong.",
    "properties": {
        "detail": {"type": "string"},
        "parameters": {
            "type": "object",
            "description": "For a 400: each bad query parameter with its messages.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail"],
}

ERRORS = {
    "400": "A query parameter is unknown or malformed; `parameters` names it.",
    "404": "No published object has this key, or the page does not exist.",
    "406": "None of the formats asked for in Accept is offered.",
    "429": "Over the fair-use rate; Retry-After says how many seconds to wait.",
}


PATH_PARAMETERS = {
    "key": "The object's key: its stable identifier, the same as in the page addresses.",
    "slug": "The object's slug: its stable identifier, the same as in the page addresses.",
}


def error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: JSON Error answers for 400, 404, 406 and 429, and
    a description for every key and slug in a path."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and not parameter.get("description"):
                    parameter["description"] = PATH_PARAMETERS[parameter["name"]]
                if parameter["name"] == "format" and not parameter.get("description"):
                    parameter["description"] = "The format, instead of an Accept header."
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses[status] = {"content": body, "description": description}
            responses["304"] = {"description": "Not modified since the ETag or date you sent."}
    return result
