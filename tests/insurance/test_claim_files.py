"""Claim files: scans and photos attached to a claim's documents, checked by their content,
kept in the default storage and served only to those who may see the claim."""

import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from insurance.models import ClaimFile, clean_file_name, missing_documents
from workstudy.models import ReportingYear, Submission, SubmissionStatus


def png_bytes() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(
        b"IEND", b"")


def pdf_bytes() -> bytes:
    """A real one-page PDF (with its cross-reference table)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PNG, PDF = png_bytes(), pdf_bytes()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(client, claim, doc_type, *files, follow=False):
    uploads = [SimpleUploadedFile(name, data, content_type=ctype) for name, data, ctype in files]
    return client.post(reverse("insurance:claim_file_upload", args=[claim.pk]),
                       {"doc_type": doc_type, "files": uploads}, follow=follow)


def download_url(item):
    return reverse("insurance:claim_file", args=[item.claim_id, item.pk])


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_png_and_pdf_are_stored_in_the_default_storage(principal_a_client, claim_a, media_root):
    assert ClaimFile._meta.get_field("file").storage is default_storage
    response = upload(principal_a_client, claim_a, "medical",
                      ("诊断证明.png", PNG, "image/png"), ("出院小结.pdf", PDF, "application/pdf"))
    assert response.status_code == 302
    files = {f.original_name: f for f in claim_a.files.all()}
    assert set(files) == {"诊断证明.png", "出院小结.pdf"}
    png, pdf = files["诊断证明.png"], files["出院小结.pdf"]
    assert (png.content_type, png.size, png.doc_type) == ("image/png", len(PNG), "medical")
    assert (pdf.content_type, pdf.size) == ("application/pdf", len(PDF))
    assert png.uploaded_by.username == "principal_a" or png.uploaded_by.school_id == claim_a.school_id
    for item, data in ((png, PNG), (pdf, PDF)):
        assert default_storage.exists(item.file.name)
        assert (media_root / item.file.name).read_bytes() == data
        # The user's name is kept in the row, never in the storage path.
        assert "诊断" not in item.file.name and "出院" not in item.file.name
        assert item.file.name.startswith(f"claims/{claim_a.year_id}/{claim_a.pk}/")
    assert len(stored_files(media_root)) == 2


def test_download_sends_the_bytes_with_type_and_disposition(principal_a_client, claim_a):
    upload(principal_a_client, claim_a, "medical", ("诊断证明.png", PNG, "image/png"),
           ("发票.pdf", PDF, "text/plain"))
    png = claim_a.files.get(content_type="image/png")
    pdf = claim_a.files.get(content_type="application/pdf")  # sniffed, whatever the browser said
    response = principal_a_client.get(download_url(png))
    assert response.status_code == 200 and body_of(response) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "filename*=utf-8''%E8%AF%8A%E6%96%AD%E8%AF%81%E6%98%8E.png" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    response = principal_a_client.get(download_url(pdf))
    assert response.status_code == 200 and body_of(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode."


@pytest.mark.parametrize(
    ("name", "data", "ctype", "message"),
    [
        ("事故证明.pdf", EXE, "application/pdf", "“事故证明.pdf”不是 JPEG、PNG 图片或 PDF 文件"),
        ("说明.txt", "受伤经过：跑步摔伤".encode(), "text/plain", "“说明.txt”不是 JPEG、PNG 图片或 PDF 文件"),
        ("大照片.png", PNG + b"\x00" * (11 * 1024 * 1024), "image/png", "大小为 11.0\xa0MB，超过了每个文件 10.0\xa0MB 的上限"),
        ("空白.pdf", b"", "application/pdf", "“空白.pdf”是空文件（0 字节），请重新选择。"),
    ],
    ids=["exe-renamed-pdf", "text", "11MB", "empty"],
)
def test_bad_files_are_refused_with_a_clear_message(principal_a_client, claim_a, media_root, name, data, ctype,
                                                     message):
    response = upload(principal_a_client, claim_a, "proof", (name, data, ctype), follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ClaimFile.objects.exists()
    assert stored_files(media_root) == []


def test_one_bad_file_refuses_the_whole_upload(principal_a_client, claim_a, media_root):
    response = upload(principal_a_client, claim_a, "invoice", ("发票.png", PNG, "image/png"),
                      ("病毒.pdf", EXE, "application/pdf"), follow=True)
    assert "“病毒.pdf”不是 JPEG、PNG 图片或 PDF 文件" in response.content.decode()
    assert not ClaimFile.objects.exists() and stored_files(media_root) == []


def test_no_file_chosen(principal_a_client, claim_a):
    response = principal_a_client.post(reverse("insurance:claim_file_upload", args=[claim_a.pk]),
                                       {"doc_type": "invoice"}, follow=True)
    assert "请选择要上传的文件。" in response.content.decode()
    assert not ClaimFile.objects.exists()


def test_checklist_shows_the_file_and_counts_it_received(principal_a_client, claim_a):
    assert "病历/诊断证明/出院小结" in missing_documents(claim_a)
    upload(principal_a_client, claim_a, "medical", ("门诊病历.png", PNG, "image/png"))
    item = claim_a.files.get()
    assert "病历/诊断证明/出院小结" not in missing_documents(claim_a)
    assert "医疗费发票原件" in missing_documents(claim_a)
    body = principal_a_client.get(reverse("insurance:claim_detail", args=[claim_a.pk])).content.decode()
    row = body[body.index("<td>病历/诊断证明/出院小结</td>"):]
    row = row[:row.index("</tr>")]
    assert "✔" in row and "门诊病历.png" in row and f'href="{download_url(item)}"' in row
    assert f'action="{reverse("insurance:claim_file_upload", args=[claim_a.pk])}" enctype="multipart/form-data"' in body
    # The paper tick still counts for a document without files.
    principal_a_client.post(reverse("insurance:claim_document", args=[claim_a.pk]), {"doc_type": "invoice",
                                                                                     "received": "on"})
    assert "医疗费发票原件" not in missing_documents(claim_a)


def test_other_school_and_anonymous_cannot_download(client, principal_a_client, principal_b_client, auditor_client,
                                                    claim_a, claim_b):
    upload(principal_a_client, claim_a, "medical", ("甲校病历.png", PNG, "image/png"))
    item = claim_a.files.get()
    assert principal_b_client.get(download_url(item)).status_code == 404
    # Nor through a claim of their own school: files are looked up through their claim.
    assert principal_b_client.get(reverse("insurance:claim_file", args=[claim_b.pk, item.pk])).status_code == 404
    assert principal_b_client.post(reverse("insurance:claim_file_delete", args=[claim_a.pk, item.pk])).status_code == 404
    assert principal_b_client.post(reverse("insurance:claim_file_delete", args=[claim_b.pk, item.pk])).status_code == 404
    assert upload(principal_b_client, claim_a, "medical", ("x.png", PNG, "image/png")).status_code == 404
    response = client.get(download_url(item))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert auditor_client.get(download_url(item)).status_code == 200
    assert claim_a.files.count() == 1


def test_locked_year_refuses_upload_and_delete(principal_a_client, director_client, claim_a, media_root):
    upload(principal_a_client, claim_a, "medical", ("病历.png", PNG, "image/png"))
    item = claim_a.files.get()
    ReportingYear.objects.filter(pk=claim_a.year_id).update(status=ReportingYear.Status.LOCKED,
                                                            locked_at=timezone.now())
    for client in (principal_a_client, director_client):
        response = upload(client, claim_a, "invoice", ("发票.png", PNG, "image/png"))
        assert response.status_code == 403 and "年度已于" in response.content.decode()
        response = client.post(reverse("insurance:claim_file_delete", args=[claim_a.pk, item.pk]))
        assert response.status_code == 403 and "数据只读" in response.content.decode()
    assert list(claim_a.files.all()) == [item] and len(stored_files(media_root)) == 1
    # Still readable, and the page offers no upload form.
    assert principal_a_client.get(download_url(item)).status_code == 200
    body = principal_a_client.get(reverse("insurance:claim_detail", args=[claim_a.pk])).content.decode()
    upload_action = f'action="{reverse("insurance:claim_file_upload", args=[claim_a.pk])}"'
    assert upload_action not in body and "病历.png" in body


def test_submitted_school_refuses_upload(principal_a_client, director_client, claim_a):
    Submission.objects.filter(school=claim_a.school, year=claim_a.year).update(status=SubmissionStatus.SUBMITTED)
    response = upload(principal_a_client, claim_a, "invoice", ("发票.png", PNG, "image/png"))
    assert response.status_code == 403 and "已上报" in response.content.decode()
    assert not ClaimFile.objects.exists()
    # The bureau may still add papers the school sent in.
    assert upload(director_client, claim_a, "invoice", ("发票.png", PNG, "image/png")).status_code == 302
    assert claim_a.files.count() == 1


def test_delete_removes_row_and_stored_bytes(principal_a_client, claim_a, media_root,
                                             django_capture_on_commit_callbacks):
    upload(principal_a_client, claim_a, "medical", ("病历.png", PNG, "image/png"))
    item = claim_a.files.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = principal_a_client.post(reverse("insurance:claim_file_delete", args=[claim_a.pk, item.pk]),
                                           follow=True)
    assert "已删除文件“病历.png”。" in response.content.decode()
    assert not ClaimFile.objects.exists()
    assert not default_storage.exists(item.file.name) and stored_files(media_root) == []
    assert "病历/诊断证明/出院小结" in missing_documents(claim_a)


def test_any_storage_backend_is_used_through_the_storage_api(settings, principal_a_client, claim_a, media_root):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    upload(principal_a_client, claim_a, "medical", ("病历.pdf", PDF, "application/pdf"))
    item = claim_a.files.get()
    assert default_storage.exists(item.file.name) and stored_files(media_root) == []
    assert body_of(principal_a_client.get(download_url(item))) == PDF


def test_names_are_cleaned_and_the_extension_follows_the_content(principal_a_client, claim_a):
    upload(principal_a_client, claim_a, "loss_list", ("照片.pdf", PNG, "application/pdf"))
    item = claim_a.files.get()
    assert item.content_type == "image/png" and item.original_name == "照片.pdf.png"
    assert clean_file_name("C:\\扫描\\..\\发票\x00\x1b.PDF", "application/pdf") == "发票.PDF"
    assert clean_file_name("../../etc/passwd") == "passwd"
    assert clean_file_name("...") == "file"
    long = clean_file_name("很" * 300 + ".jpeg", "image/jpeg")
    assert len(long) == 120 and long.endswith(".jpeg")
