"""The import upload form: it parses; headway.transfer.services checks and stores."""

from __future__ import annotations

from django import forms

from headway.transfer.services import MAX_UPLOAD_MB

FORMATS = [
    ("template", "Headway template (CSV or Excel)"),
    ("viva", "Viva Goals export (CSV or Excel)"),
    ("json", "Headway organisation export (JSON), into an empty organisation"),
]


class ImportForm(forms.Form):
    format = forms.ChoiceField(
        choices=FORMATS, initial="template", widget=forms.RadioSelect, label="What the file is"
    )
    file = forms.FileField(
        label="File",
        help_text=f".csv, .xlsx or .json, up to {MAX_UPLOAD_MB} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,.xlsx,.json"}),
    )
