"""``/verify/``: anyone holding one of the portal's PDFs can ask whether it is a document a
locked year issued. It answers which county, year and kind (and school, for a sheet), when
the year was locked and whether the document is still current; nothing else, and no file."""

from __future__ import annotations

import hashlib
import re

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from . import archive

MAX_BYTES = 20 * 1024 * 1024
_HEX = re.compile(r"^[0-9a-f]{64}$")
_HEX_WORD = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{64}(?![0-9A-Za-z])")


class VerifyForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("PDF 文件"), required=False,
                           help_text=gettext_lazy("选择要核验的 PDF 文件（不超过 20 MB）；文件只用于计算校验值，不会保存。"))
    sha256 = forms.CharField(label=gettext_lazy("或输入 SHA-256 校验值"), required=False, max_length=1000,
                             help_text=gettext_lazy("64 位十六进制字符，可从下载页面或 .sha256 校验文件复制。"))

    def clean_sha256(self):
        raw = self.cleaned_data.get("sha256") or ""
        value = re.sub(r"\s+", "", raw).lower()
        if value and not _HEX.match(value):
            # A line copied whole from the .sha256 sidecar ("<hash>  <file>", as sha256sum writes
            # it) or from certutil / Get-FileHash output: the one 64-digit hex word in it.
            words = {w.lower() for w in _HEX_WORD.findall(raw)}
            if len(words) == 1:
                return words.pop()
            raise forms.ValidationError(
                _("SHA-256 校验值应为 64 位十六进制字符（0-9、a-f），现在是 %(n)s 位。") % {"n": len(value)})
        return value

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(TOO_LARGE)
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


class _SizeLimit(FileUploadHandler):
    """Stops reading an upload once it passes :data:`MAX_BYTES` (the page is public: a large
    body is neither kept in memory nor written to a temporary file before it is refused)."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > MAX_BYTES:
            self.request.verify_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


TOO_LARGE = gettext_lazy("文件超过 20 MB，不是本平台生成的 PDF。")


@method_decorator(csrf_exempt, name="dispatch")  # checked in _post, after the size limit is in place
class VerifyView(View):
    """Public: no login."""

    def get(self, request):
        return render(request, "reports/verify.html", {"form": VerifyForm()})

    def post(self, request):
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BYTES + 64 * 1024:
            return self._too_large(request)
        request.upload_handlers.insert(0, _SizeLimit(request))
        return self._post(request)

    def _too_large(self, request):
        form = VerifyForm({})
        form.is_valid()
        form.errors.clear()
        form.add_error("file", str(TOO_LARGE))
        return render(request, "reports/verify.html", {"form": form}, status=200)

    @method_decorator(csrf_protect)
    def _post(self, request):
        form = VerifyForm(request.POST, request.FILES)
        if getattr(request, "verify_too_large", False):
            return self._too_large(request)
        context = {"form": form}
        if form.is_valid():
            digest = form.digest()
            doc = archive.find(digest)
            context.update({"checked": True, "digest": digest, "doc": doc, "county": settings.PORTAL_COUNTY_NAME})
        return render(request, "reports/verify.html", context, status=200)
