from django import forms

from common.forms import NormalisedEmailField


class EmailForm(forms.Form):
    email = NormalisedEmailField(label="Your email address", max_length=254)
