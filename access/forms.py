from django import forms

from common.forms import NormalisedEmailField


class EmailForm(forms.Form):
    email = NormalisedEmailField(label="Your email address", max_length=254)


class AssignSeatForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    email = NormalisedEmailField(label="Email", max_length=254)
