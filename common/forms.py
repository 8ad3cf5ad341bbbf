"""Forms for the fields of one record, checked by the form and saved by the record's service.

A model form writes the input into its record while it validates, then validates the record
itself. Here the service that owns the record does that: it checks the record whole (with a
plain-English message for a duplicate title or number), saves it and records the change in the
audit log. So these forms are plain forms: a refused change leaves the record untouched, and
the service can still see what it was before.
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .numbers import parse_whole_number


def model_field(model, name: str, **overrides) -> forms.Field:
    """The form field a model form would make for `model.name` (its label, length, choices,
    help text and whether it is required), with `overrides` such as a label, a widget or
    error messages."""
    return model._meta.get_field(name).formfield(**overrides)


class RecordForm(forms.Form):
    """A plain form for some of a record's fields, starting from the record's current values."""

    def __init__(self, data=None, *, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs["initial"] = {**current_values(instance, self.base_fields), **kwargs.get("initial", {})}
        super().__init__(data, **kwargs)


def current_values(instance, names) -> dict:
    """The record's values for those of `names` that are its fields, as a form's initial data
    (a related record by its key; many-to-many as a list, empty for a record not yet saved)."""
    values = {}
    for name in names:
        try:
            field = instance._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.Field):  # not a relation seen from the other side
            values[name] = field.value_from_object(instance)
    return values


class WholeNumberField(forms.IntegerField):
    """A count typed as people write it: "1,200" is accepted as 1200 (common.numbers)."""

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_whole_number(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
