from django import forms


class EmailForm(forms.Form):
    email = forms.EmailField(label="Your email address", max_length=254)


class AssignSeatForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    email = forms.EmailField(label="Email", max_length=254)
