"""``/verify/``: anyone holding one of the portal's PDFs can ask whether it is a document a
locked year issued. It answers which county, year and kind (and school, for a sheet), when
the year was locked and whether the document is still current; nothing else, and no file."""

from __future__ import annotations

import hashlib
import re

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from . import archive

MAX_BYTES = 20 * 1024 * 1024
_HEX = re.compile(r"^[0-9a-f]{64}$")


class VerifyForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("PDF 文件"), required=False,
                           help_text=gettext_lazy("选择要核验的 PDF 文件（不超过 20 MB）；文件只用于计算校验值，不会保存。"))
    sha256 = forms.CharField(label=gettext_lazy("或输入 SHA-256 校验值"), required=False, max_length=200,
                             help_text=gettext_lazy("64 位十六进制字符，可从下载页面或 .sha256 校验文件复制。"))

    def clean_sha256(self):
        value = re.sub(r"\s+", "", self.cleaned_data.get("sha256") or "").lower()
        if value and not _HEX.match(value):
            raise forms.ValidationError(
                _("SHA-256 校验值应为 64 位十六进制字符（0-9、a-f），现在是 %(n)s 位。") % {"n": len(value)})
        return value

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("文件超过 20 MB，不是本平台生成的 PDF。"))
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("这不是 PDF 文件。请选择从本平台下载的 PDF。"))
        return upload

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("file") and not cleaned.get("sha256"):
            raise forms.ValidationError(_("请选择 PDF 文件，或输入它的 SHA-256 校验值。"))
        return cleaned

    def digest(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return self.cleaned_data["sha256"]
        sha = hashlib.sha256()
        for chunk in upload.chunks():
            sha.update(chunk)
        return sha.hexdigest()


class VerifyView(View):
    """Public: no login."""

    def get(self, request):
        return render(request, "reports/verify.html", {"form": VerifyForm()})

    def post(self, request):
        form = VerifyForm(request.POST, request.FILES)
        context = {"form": form}
        if form.is_valid():
            digest = form.digest()
            doc = archive.find(digest)
            context.update({"checked": True, "digest": digest, "doc": doc, "county": settings.PORTAL_COUNTY_NAME})
        return render(request, "reports/verify.html", context, status=200)
