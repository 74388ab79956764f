"""An item's content as plain data: taken from a row, compared, and written back to it.

A snapshot is what a Revision stores: the item's editable fields (foreign keys by primary
key), its many-to-many links, and its inline rows (the reverse foreign keys the model names in
`revision_children`), each row with its own fields and links:

    {"fields": {...}, "m2m": {"studies": [3, 5]},
     "children": {"citations": [{"pk": 7, "fields": {...}, "m2m": {}}, {"pk": None, ...}]}}

Nothing here knows a content model by name; it reads each model's _meta.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

Snapshot = dict[str, Any]


def own_fields(model: type[models.Model], skip: str = "") -> list[models.Field]:
    """The fields an editor changes: concrete, editable, not the key (nor the parent link)."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name != skip
    ]


def m2m_fields(model: type[models.Model]) -> list[models.ManyToManyField]:
    return [
        field for field in model._meta.many_to_many if isinstance(field, models.ManyToManyField)
    ]


def _json(value: Any) -> Any:
    """A field value as JSON would hold it (dates as ISO strings, decimals as text)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return DjangoJSONEncoder().default(value)


def row_data(obj: models.Model, skip: str = "", links: bool = True) -> Snapshot:
    """One row's fields and, with `links`, its links (a query per many-to-many field)."""
    model = type(obj)
    fields = {f.name: _json(f.value_from_object(obj)) for f in own_fields(model, skip)}
    linked = {
        f.name: sorted(row.pk for row in getattr(obj, f.name).all())
        for f in (m2m_fields(model) if links else [])
    }
    return {"pk": obj.pk, "fields": fields, "m2m": linked}


def children_of(model: type[models.Model]) -> list[models.ManyToOneRel]:
    names = getattr(model, "revision_children", ())
    return [model._meta.get_field(name) for name in names]  # type: ignore[misc]


def snapshot(obj: models.Model) -> Snapshot:
    """The item as it is stored now, with its inline rows."""
    data = row_data(obj)
    data["children"] = {
        rel.name: [
            row_data(child, skip=rel.field.name)
            for child in rel.related_model._base_manager.filter(**{rel.field.name: obj.pk})
        ]
        for rel in children_of(type(obj))
    }
    return data


def _assign(obj: models.Model, data: Snapshot, skip: str = "") -> None:
    for field in own_fields(type(obj), skip):
        if field.name in data["fields"]:
            setattr(obj, field.attname, field.to_python(data["fields"][field.name]))


def _link(obj: models.Model, data: Snapshot) -> None:
    for field in m2m_fields(type(obj)):
        if field.name in data.get("m2m", {}):
            getattr(obj, field.name).set(data["m2m"][field.name])


def apply(obj: models.Model, data: Snapshot, author: Any = None, reason: str = "") -> None:
    """Write `data` onto the stored item and its inline rows, each checked by full_clean();
    their history rows name `author` and `reason`.

    Raises ValidationError naming the row at fault. Call inside a transaction: a refusal
    midway leaves half of it written.
    """
    _assign(obj, data)
    obj.full_clean()
    obj.save()
    _link(obj, data)
    for rel in children_of(type(obj)):
        if rel.name not in data.get("children", {}):
            continue
        fk = rel.field
        rows = data["children"][rel.name]
        existing = {c.pk: c for c in rel.related_model._base_manager.filter(**{fk.name: obj.pk})}
        kept = {row["pk"] for row in rows if row["pk"] in existing}
        for pk, child in existing.items():
            if pk not in kept:
                child._history_user, child._change_reason = author, reason  # type: ignore[attr-defined]
                child.delete()
        for row in rows:
            child = existing.get(row["pk"]) or rel.related_model(**{fk.attname: obj.pk})
            _assign(child, row, skip=fk.name)
            try:
                child.full_clean()
            except ValidationError as error:
                name = rel.related_model._meta.verbose_name
                raise ValidationError(f"{name} “{child}”: {'; '.join(error.messages)}") from None
            child._history_user, child._change_reason = author, reason  # type: ignore[attr-defined]
            child.save()
            _link(child, row)


# ---------------------------------------------------------------- comparing two versions


@dataclass
class Change:
    """One field that differs between two versions, as a reviewer reads it."""

    label: str
    old: str
    new: str
    name: str = ""  # the field's name (inline rows: "<accessor>"), for forms to match

    @property
    def diff(self) -> SafeString:
        """The new text word by word against the old: removals in <del>, additions in <ins>."""
        old, new = self.old.split(" "), self.new.split(" ")
        parts: list[tuple[str, str]] = []
        matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op == "equal":
                parts.append(("span", " ".join(old[a1:a2])))
                continue
            if a2 > a1:
                parts.append(("del", " ".join(old[a1:a2])))
            if b2 > b1:
                parts.append(("ins", " ".join(new[b1:b2])))
        return format_html_join(" ", "<{0}>{1}</{0}>", parts)


def _shown(field: models.Field, value: Any) -> str:
    """A stored value as the admin would print it (one query for a foreign key)."""
    if value in (None, ""):
        return "—"
    if field.is_relation and field.related_model is not None:
        target = field.related_model._base_manager.filter(pk=value).first()
        return str(target) if target else f"#{value} (deleted)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _linked(field: models.ManyToManyField, pks: list[int]) -> str:
    rows = field.related_model._base_manager.filter(pk__in=pks)
    return "; ".join(sorted(str(row) for row in rows)) or "—"


def _row_changes(
    model: type[models.Model], old: Snapshot, new: Snapshot, skip: str = ""
) -> list[Change]:
    changes = []
    for field in own_fields(model, skip):
        a, b = old["fields"].get(field.name), new["fields"].get(field.name)
        if a != b:
            label = str(field.verbose_name)
            changes.append(Change(label, _shown(field, a), _shown(field, b), field.name))
    for field in m2m_fields(model):
        a, b = old.get("m2m", {}).get(field.name), new.get("m2m", {}).get(field.name)
        if a is not None and b is not None and sorted(a) != sorted(b):
            label = str(field.verbose_name)
            changes.append(Change(label, _linked(field, a), _linked(field, b), field.name))
    return changes


def compare(model: type[models.Model], old: Snapshot, new: Snapshot) -> list[Change]:
    """What differs from `old` to `new`, field by field, then inline row by inline row."""
    changes = _row_changes(model, old, new)
    for rel in children_of(model):
        if rel.name not in new.get("children", {}):
            continue
        child_model, fk = rel.related_model, rel.field.name
        name = str(child_model._meta.verbose_name)
        before = {row["pk"]: row for row in old.get("children", {}).get(rel.name, [])}
        after = {row["pk"]: row for row in new["children"][rel.name] if row["pk"] is not None}
        for pk, row in before.items():
            if pk not in after:
                shown = "; ".join(str(v) for v in row["fields"].values() if v not in (None, ""))
                changes.append(Change(f"{name} removed", shown, "—", rel.name))
        for row in new["children"][rel.name]:
            if row["pk"] is None or row["pk"] not in before:
                shown = "; ".join(str(v) for v in row["fields"].values() if v not in (None, ""))
                changes.append(Change(f"{name} added", "—", shown, rel.name))
            else:
                for change in _row_changes(child_model, before[row["pk"]], row, skip=fk):
                    change.label = f"{name}: {change.label}"
                    change.name = rel.name
                    changes.append(change)
    return changes


def summary(model: type[models.Model], changes: list[Change]) -> str:
    """The changes in plain words for readers, e.g. "Changed the result."."""
    labels: list[str] = []
    for change in changes:
        label = change.label.split(":")[0]
        if label not in labels:
            labels.append(label)
    if not labels:
        return "Saved again without changes."
    return f"Changed the {_join(labels)}."


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def as_table(changes: list[Change]) -> SafeString:
    """The changes as rows of an HTML table: field, old, new and the word diff."""
    return format_html_join(
        "\n",
        "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td class='diff'>{}</td></tr>",
        ((c.label, c.old, c.new, c.diff) for c in changes),
    ) or format_html("<tr><td colspan='4'>{}</td></tr>", "No difference.")
