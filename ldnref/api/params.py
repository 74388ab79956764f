"""Query parameters, strictly: a malformed or unknown parameter is a 400 that names it."""

from __future__ import annotations

from typing import Any

from rest_framework import filters, pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.views import exception_handler

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def _positive(name: str, value: str, maximum: int | None = None) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1 or (maximum is not None and number > maximum):
        upper = f" and at most {maximum}" if maximum else ""
        raise ValidationError({name: [f"Must be a whole number of at least 1{upper}."]})
    return number


class Pagination(pagination.PageNumberPagination):
    """50 per page by default, `page_size` up to 200; a bad `page` or `page_size` is a 400."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Any) -> int:
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        return _positive(self.page_size_query_param, value, self.max_page_size)

    def get_page_number(self, request: Any, paginator: Any) -> int:
        value = request.query_params.get(self.page_query_param)
        number = 1 if value is None else _positive(self.page_query_param, value)
        if number > max(paginator.num_pages, 1):
            raise NotFound(f"Page {number} does not exist: there are {paginator.num_pages}.")
        return number

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
                parameter["description"] = (
                    f"Results per page: {self.page_size} by default, at most {self.max_page_size}."
                )
        return parameters


class Ordering(filters.OrderingFilter):
    """`ordering=field` or `-field`, comma-separated; a field that cannot sort is a 400."""

    def remove_invalid_fields(self, queryset: Any, fields: Any, view: Any, request: Any) -> Any:
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        bad = [term for term in fields if term not in valid]
        if bad:
            allowed = ", ".join(name for name, _ in self.get_valid_fields(queryset, view))
            raise ValidationError(
                {self.ordering_param: [f"Cannot order by {', '.join(bad)}; use {allowed}."]}
            )
        return valid

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        fields = ", ".join(view.ordering_fields)
        for parameter in parameters:
            parameter["description"] = f"Sort by {fields}; prefix - to reverse, comma for more."
        return parameters


def handle_exception(exc: Exception, context: dict[str, Any]) -> Any:
    """DRF's handler, with every error body holding a `detail` string that names bad parameters."""
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        names = ", ".join(errors)
        response.data = {"detail": f"Invalid query parameter: {names}.", "parameters": errors}
    return response
