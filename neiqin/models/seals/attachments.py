"""用印 attachments: a scan or photo of the stamped document, checked by content and stored by hash. No Qt.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import peewee as pw

from neiqin import winfs
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import BaseModel, db, now
from neiqin.models.seals.chained import chained_write
from neiqin.models.seals.uses import SEAL_USES, SealUse

MAX_ATTACHMENT_MB = 20


class SealAttachment(BaseModel):
    """A scan or photo kept under datadir.attachments by content hash; listed in the chain too."""

    entity = pw.CharField(max_length=10)
    owner_id = pw.IntegerField()
    sha256 = pw.CharField(max_length=64)
    name = pw.CharField(max_length=200)
    size = pw.IntegerField()
    path = pw.CharField(max_length=200)
    added_at = pw.DateTimeField(default=now)

    class Meta:
        table_name = "seal_attachment"
        indexes = ((("entity", "owner_id"), False),)


MODELS = [SealAttachment]


# ---------------------------------------------------------------------------------------------- attachments

_MAGIC = [(b"\xff\xd8\xff", ".jpg"), (b"\x89PNG\r\n\x1a\n", ".png"), (b"GIF87a", ".gif"), (b"GIF89a", ".gif"),
          (b"BM", ".bmp"), (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"), (b"%PDF-", ".pdf")]


def sniff_kind(head: bytes) -> str | None:
    """The extension for an image or PDF judged by its first bytes (a renamed .docx is not a .pdf)."""
    for magic, ext in _MAGIC:
        if head.startswith(magic):
            return ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    return None


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    name: str
    size: int
    path: str  # relative to the attachments folder

    def as_dict(self) -> dict:
        return {"sha256": self.sha256, "name": self.name, "size": self.size, "path": self.path}


def store_attachment(src: str | os.PathLike, attachments_dir: str | os.PathLike, field: str = "file") -> StoredFile:
    """Copy a scan into the attachments folder under its SHA-256 (the same file is kept once).

    Only images and PDF, at most MAX_ATTACHMENT_MB; anything else is refused with a message at ``field``.
    """
    src = Path(src)
    if not src.is_file():
        raise ValidationError({field: f"找不到文件：{src}"})
    size = src.stat().st_size
    if size == 0:
        raise ValidationError({field: f"文件“{src.name}”是空的"})
    if size > MAX_ATTACHMENT_MB * 1024 * 1024:
        raise ValidationError({field: f"文件“{src.name}”有 {size / 1024 / 1024:.1f} MB，"
                                      f"超过 {MAX_ATTACHMENT_MB} MB 上限；请降低扫描分辨率或分页扫描"})
    with open(src, "rb") as fh:
        ext = sniff_kind(fh.read(16))
    if ext is None:
        raise ValidationError({field: f"文件“{src.name}”不是图片或 PDF；只能附加扫描件或照片"
                                      "（JPG、PNG、GIF、BMP、TIFF、WebP 或 PDF）"})
    digest = hashlib.sha256()
    with open(src, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    sha = digest.hexdigest()
    rel = f"seals/{sha[:2]}/{sha}{ext}"
    dest = Path(attachments_dir) / rel
    if not (dest.is_file() and dest.stat().st_size == size):
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".part-", dir=dest.parent)
        os.close(fd)
        try:
            shutil.copyfile(src, tmp)
            winfs.replace(tmp, dest)
        except PermissionError as e:  # Windows: antivirus still scanning the copy, for longer than the retries
            raise ValidationError({field: f"无法保存附件“{src.name}”：{winfs.BUSY_HINT}"}) from e
        finally:
            Path(tmp).unlink(missing_ok=True)
    return StoredFile(sha, src.name[:200], size, rel)


def attach_to_use(use: SealUse, src: str | os.PathLike, attachments_dir: str | os.PathLike) -> SealAttachment:
    """Keep a scan or photo of the stamped pages; listed in the chain."""
    use = SealUse.get_by_id(use.id)
    if use.voided:
        raise NeiqinError("该用印记录已作废，不能再添加附件")
    stored = store_attachment(src, attachments_dir)
    with db.atomic():
        chained_write(SEAL_USES, "use", use, "attach", {"attachments": (use.attachments or 0) + 1},
               f"用印 {use.no} 添加附件 {stored.name}", file=stored.as_dict())
        att = SealAttachment.create(entity="use", owner_id=use.id, **stored.as_dict())
    return att


def attach_files(use: SealUse, paths: list[str], attachments_dir: str | os.PathLike) -> list[SealAttachment]:
    """Several scans at once: every file is checked (and kept) before any is recorded, so a refused file leaves
    the use as it was."""
    for p in paths:
        store_attachment(p, attachments_dir)
    return [attach_to_use(use, p, attachments_dir) for p in paths]


def attachments_of(use: SealUse) -> list[SealAttachment]:
    return list(SealAttachment.select().where((SealAttachment.entity == "use") & (SealAttachment.owner_id == use.id))
                .order_by(SealAttachment.id))


