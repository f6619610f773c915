"""Forms of the admin's own pages: ingest an article, import companies, test a rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from intel.models.rules import MAX_PATTERN_LENGTH, MatchAlgorithm, regex_error

ALLOWED_UPLOADS = (".txt", ".md", ".markdown", ".html", ".htm")


def _max_bytes() -> int:
    return int(settings.RIVALSCOPE_INGEST_MAX_BYTES)


class IngestForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 14, "cols": 100}), required=False, strip=False)
    fetch_url = forms.CharField(label="or fetch this URL", required=False, max_length=2000)
    file = forms.FileField(label="or upload a file", required=False, help_text="A .txt, .html or .md file.")
    title = forms.CharField(required=False, max_length=500)
    url = forms.CharField(label="Article URL", required=False, max_length=2000, help_text="Where it was published.")
    published = forms.CharField(required=False, max_length=10, help_text="YYYY-MM-DD, YYYY-MM or YYYY.")
    source = forms.CharField(required=False, max_length=200, help_text="The publisher's name.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > _max_bytes():
            raise forms.ValidationError(f"The file is larger than the {_max_bytes() // 1024 // 1024} MB limit.")
        if not upload.name.lower().endswith(ALLOWED_UPLOADS):
            raise forms.ValidationError("Unsupported file type: upload .txt, .html or .md.")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        given = [name for name in ("text", "fetch_url", "file") if data.get(name) not in (None, "")]
        if not given and not self.errors:
            raise forms.ValidationError("Paste the article's text, give a URL to fetch, or upload a file.")
        if len(given) > 1:
            raise forms.ValidationError("Give the article one way only: text, a URL or a file.")
        return data


class ImportCompaniesForm(forms.Form):
    file = forms.FileField(help_text="CSV with a header row: name, aliases (separated by ;), country, website.")
    watched = forms.BooleanField(required=False, initial=True, help_text="Mark the companies as watched.")


class RuleTestForm(forms.Form):
    algorithm = forms.ChoiceField(choices=MatchAlgorithm.choices)
    match = forms.CharField(max_length=MAX_PATTERN_LENGTH)
    case_sensitive = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("algorithm") == MatchAlgorithm.REGEX and data.get("match"):
            error = regex_error(data["match"])
            if error is not None:
                raise forms.ValidationError(error)
        return data
