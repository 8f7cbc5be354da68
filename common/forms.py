"""Form fields without rules of their own."""

from django import forms
from django.core.exceptions import ValidationError

from common.text import normalise_email


class NormalisedEmailField(forms.EmailField):
    """An email address, cleaned to the one normal form every address is stored and compared in."""

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        normalised = normalise_email(value)
        if not normalised:
            raise ValidationError("Enter a valid email address.", code="invalid")
        return normalised
