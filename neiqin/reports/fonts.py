"""Chinese fonts for reportlab: find TrueType CJK fonts on this machine and give each printing role one.

Roles: ``body`` (宋体 for tables and text), ``heading`` (黑体), ``title`` (小标宋/黑体), ``fangsong`` (仿宋, the
公文 body) and ``kai`` (楷体). Each role takes the first usable font of its preferred styles; the built-in
``STSong-Light`` CID font (not embedded: its look depends on the viewer) is used only when no TrueType CJK
font exists at all.

reportlab reads TrueType outlines only: CFF/OpenType-outline files (Noto Sans CJK, Source Han) raise
``postscript outlines are not supported`` and are skipped, as are unreadable or corrupt files — logged, never
fatal. Nothing happens at import: the font folders are scanned on first use, each font is registered (≈0.2 s,
it parses the whole file) only when a role needs it, and both are cached.
"""

from __future__ import annotations

import logging
import os
import struct
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from neiqin.errors import NeiqinError

log = logging.getLogger(__name__)

ROLES = ("body", "heading", "title", "fangsong", "kai")

# styles in order of preference for each role; "other" = a font whose style we do not know
ROLE_STYLES: dict[str, tuple[str, ...]] = {
    "body": ("song", "fang", "hei", "kai", "other"),
    "heading": ("hei", "xbs", "song", "fang", "kai", "other"),
    "title": ("xbs", "hei", "song", "fang", "kai", "other"),
    "fangsong": ("fang", "song", "kai", "hei", "other"),
    "kai": ("kai", "fang", "song", "hei", "other"),
}

# (lower-case file name, subfont index, family label, style); within a style, earlier = preferred
KNOWN_FONTS: tuple[tuple[str, int, str, str], ...] = (
    ("simsun.ttc", 0, "宋体", "song"),
    ("simsun.ttf", 0, "宋体", "song"),
    ("stsong.ttf", 0, "华文宋体", "song"),
    ("stzhongs.ttf", 0, "华文中宋", "song"),
    ("uming.ttc", 0, "文鼎明体", "song"),
    ("fzxbsjw.ttf", 0, "方正小标宋", "xbs"),
    ("方正小标宋简体.ttf", 0, "方正小标宋", "xbs"),
    ("方正小标宋_gbk.ttf", 0, "方正小标宋", "xbs"),
    ("simhei.ttf", 0, "黑体", "hei"),
    ("msyh.ttc", 0, "微软雅黑", "hei"),
    ("msyh.ttf", 0, "微软雅黑", "hei"),
    ("stxihei.ttf", 0, "华文细黑", "hei"),
    ("wqy-zenhei.ttc", 0, "文泉驿正黑", "hei"),
    ("wqy-microhei.ttc", 0, "文泉驿微米黑", "hei"),
    ("droidsansfallbackfull.ttf", 0, "Droid Sans Fallback", "hei"),
    ("simfang.ttf", 0, "仿宋", "fang"),
    ("stfangso.ttf", 0, "华文仿宋", "fang"),
    ("simkai.ttf", 0, "楷体", "kai"),
    ("stkaiti.ttf", 0, "华文楷体", "kai"),
    ("ukai.ttc", 0, "文鼎楷体", "kai"),
    # CFF outlines: listed so that a machine with only these logs why they were not used
    ("notosanscjk-regular.ttc", 0, "Noto Sans CJK", "hei"),
    ("notoserifcjk-regular.ttc", 0, "Noto Serif CJK", "song"),
    ("sourcehansans-regular.ttc", 0, "思源黑体", "hei"),
)
_KNOWN = {k[0]: k for k in KNOWN_FONTS}
_ORDER = {k[0]: i for i, k in enumerate(KNOWN_FONTS)}
FONT_EXTENSIONS = (".ttf", ".ttc", ".otf")

CID_FALLBACK = "STSong-Light"


@dataclass(frozen=True)
class FontInfo:
    name: str  # the reportlab font name to pass to setFont
    path: str  # "" for the built-in CID font
    family: str  # label shown to the clerk, e.g. "宋体"
    is_embedded: bool  # TrueType subsets are embedded; the CID fallback is not
    style: str = "other"
    subfont: int = 0


FALLBACK = FontInfo(CID_FALLBACK, "", "内置宋体（未嵌入，显示效果取决于阅读软件）", False, "song")


FONT_DIRS_ENV = "NEIQIN_FONT_DIRS"


def system_font_dirs() -> list[Path]:
    """Where the machine keeps fonts; ``NEIQIN_FONT_DIRS`` (paths joined by os.pathsep) replaces them, so a
    portable install or a test run uses exactly the fonts it brings, whatever else the machine has."""
    chosen = os.environ.get(FONT_DIRS_ENV, "").strip()
    if chosen:
        return [Path(p) for p in chosen.split(os.pathsep) if p]
    dirs: list[Path] = []
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot") or r"C:\Windows"
        dirs += [Path(windir) / "Fonts", Path(r"C:\Windows\Fonts")]
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")  # fonts installed "for me only"
    elif sys.platform == "darwin":
        dirs += [Path("/Library/Fonts"), Path("/System/Library/Fonts"), Path.home() / "Library" / "Fonts"]
    else:
        dirs += [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".local/share/fonts",
                 Path.home() / ".fonts"]
    return dirs


def bundled_font_dirs() -> list[Path]:
    """Fonts shipped with the program (resources/fonts beside the package, or inside a frozen bundle)."""
    roots = [Path(__file__).resolve().parents[2]]
    if getattr(sys, "_MEIPASS", None):
        roots.insert(0, Path(sys._MEIPASS))
    return [r / "resources" / "fonts" for r in roots]


def probe(path: str | Path, subfont: int = 0) -> str | None:
    """Why reportlab cannot use this font file (a Chinese reason), or None if it looks like TrueType.

    Reads only the header, so listing fonts does not parse whole 10–20 MB files.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            if head[:4] == b"ttcf":
                count = struct.unpack(">I", head[8:12])[0]
                if subfont >= count:
                    return f"字体集合中没有第 {subfont} 个字体"
                f.seek(12 + 4 * subfont)
                f.seek(struct.unpack(">I", f.read(4))[0])
                head = f.read(4)
    except (OSError, struct.error) as e:
        return f"无法读取字体文件（{e.__class__.__name__}）"
    tag = head[:4]
    if tag == b"OTTO":
        return "PostScript (CFF) 轮廓的 OpenType 字体，reportlab 不支持"
    if tag not in (b"\x00\x01\x00\x00", b"true"):
        return "不是 TrueType 字体文件"
    return None


class FontRegistry:
    """Discovered font files, registered fonts and the role assignments; one per process (``REGISTRY``)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.extra_dirs: list[Path] = []
        self._found: list[tuple[str, int, str, str]] | None = None  # (path, subfont, family, style)
        self._registered: dict[tuple[str, int], FontInfo | None] = {}  # None = tried and failed
        self._roles: dict[str, FontInfo] = {}
        self.overrides: dict[str, str] = {}

    # ---- discovery

    def add_dir(self, path: str | Path) -> None:
        with self._lock:
            self.extra_dirs.append(Path(path))
            self._found = None
            self._roles.clear()

    def _scan(self) -> list[tuple[str, int, str, str]]:
        if self._found is not None:
            return self._found
        found: dict[str, tuple[str, int, str, str]] = {}  # by lower-case file name: first dir wins
        extra: list[tuple[str, int, str, str]] = []
        for d in [*self.extra_dirs, *bundled_font_dirs()]:
            for p in _walk(d):
                known = _KNOWN.get(p.name.lower())
                if known:
                    found.setdefault(known[0], (str(p), known[1], known[2], known[3]))
                else:  # a font someone put there on purpose: usable, style unknown
                    extra.append((str(p), 0, p.stem, "other"))
        for d in system_font_dirs():
            for p in _walk(d):
                known = _KNOWN.get(p.name.lower())
                if known and known[0] not in found:
                    found[known[0]] = (str(p), known[1], known[2], known[3])
        ordered = sorted(found.values(), key=lambda f: _ORDER[Path(f[0]).name.lower()])
        self._found = [*ordered, *extra]
        return self._found

    # ---- registration

    def register(self, path: str, subfont: int = 0, family: str = "", style: str = "other") -> FontInfo | None:
        """Register one TrueType file with reportlab (cached); None, with a log line, if it cannot be used."""
        key = (str(path), subfont)
        with self._lock:
            if key in self._registered:
                return self._registered[key]
            info = None
            reason = probe(path, subfont)
            if reason is None:
                try:
                    info = _register_ttf(str(path), subfont, family, style)
                except Exception as e:  # noqa: BLE001 - any broken font file must only be skipped
                    reason = f"{e.__class__.__name__}: {e}"
            if info is None:
                log.info("skipping font %s (subfont %d): %s", path, subfont, reason)
            self._registered[key] = info
            return info

    def available(self) -> list[FontInfo]:
        """Every usable font found (registers them all: slow the first time, for a settings page)."""
        with self._lock:
            fonts = [self.register(*f) for f in self._scan()]
            return [f for f in fonts if f is not None]

    # ---- roles

    def font_for_role(self, role: str) -> FontInfo:
        if role not in ROLE_STYLES:
            raise KeyError(role)
        with self._lock:
            info = self._roles.get(role)
            if info is None:
                info = self._override(role) or self._best(role)
                self._roles[role] = info
            return info

    def _best(self, role: str) -> FontInfo:
        candidates = self._scan()
        for style in ROLE_STYLES[role]:
            for f in candidates:
                if f[3] == style:
                    info = self.register(*f)
                    if info is not None:
                        return info
        log.warning("no TrueType CJK font found; using the built-in %s (not embedded)", CID_FALLBACK)
        return _cid_fallback()

    def _override(self, role: str) -> FontInfo | None:
        want = self.overrides.get(role)
        if not want:
            return None
        info = self.resolve(want)
        if info is None:
            log.warning("font override for %s (%s) is not usable; using the default", role, want)
        return info

    def resolve(self, path_or_name: str) -> FontInfo | None:
        """A font given as a file path, a registered name or a family label (宋体)."""
        p = Path(path_or_name)
        if p.suffix.lower() in FONT_EXTENSIONS or p.is_file():
            known = _KNOWN.get(p.name.lower())
            family, style = (known[2], known[3]) if known else (p.stem, "other")
            return self.register(str(p), known[1] if known else 0, family, style)
        if path_or_name == CID_FALLBACK:
            return _cid_fallback()
        for f in self._scan():
            if path_or_name in (f[2], Path(f[0]).name):
                info = self.register(*f)
                if info is not None:
                    return info
        for info in self._registered.values():
            if info is not None and path_or_name in (info.name, info.family):
                return info
        return None

    def set_override(self, role: str, path_or_name: str | None) -> FontInfo:
        if role not in ROLE_STYLES:
            raise NeiqinError(f"没有“{role}”这种字体用途（可用：{'、'.join(ROLES)}）")
        with self._lock:
            if path_or_name:
                info = self.resolve(path_or_name)
                if info is None:
                    raise NeiqinError(f"字体“{path_or_name}”无法使用（找不到文件，或不是 TrueType 字体）")
                self.overrides[role] = path_or_name
            else:
                self.overrides.pop(role, None)
            self._roles.pop(role, None)
            return self.font_for_role(role)

    def reset(self) -> None:
        """Forget discovery and role choices (tests; after fonts were installed). Registered fonts stay."""
        with self._lock:
            self._found = None
            self._roles.clear()
            self.overrides.clear()


def _walk(d: Path) -> Iterable[Path]:
    try:
        if not d.is_dir():
            return []
        return [p for p in d.rglob("*") if p.suffix.lower() in FONT_EXTENSIONS and p.is_file()]
    except OSError as e:
        log.info("cannot list font folder %s: %s", d, e)
        return []


def _register_ttf(path: str, subfont: int, family: str, style: str) -> FontInfo:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    stem = "".join(c if c.isascii() and c.isalnum() else "_" for c in Path(path).stem)
    name = f"nq-{stem}-{subfont}"
    n = 1
    while name in pdfmetrics.getRegisteredFontNames():  # same file name in two folders
        n += 1
        name = f"nq-{stem}-{subfont}-{n}"
    font = TTFont(name, path, subfontIndex=subfont)
    if not family or family == Path(path).stem:
        fam = font.face.familyName
        family = fam.decode("utf-8", "replace") if isinstance(fam, bytes) else str(fam or family)
    pdfmetrics.registerFont(font)
    return FontInfo(name, path, family, True, style, subfont)


def _cid_fallback() -> FontInfo:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CID_FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return FALLBACK


REGISTRY = FontRegistry()


# ---------------------------------------------------------------------------------------------- public API


def font_for(role: str) -> str:
    """The registered reportlab font name for a role (body / heading / title / fangsong / kai)."""
    return REGISTRY.font_for_role(role).name


def role_assignments() -> dict[str, FontInfo]:
    return {role: REGISTRY.font_for_role(role) for role in ROLES}


def available_fonts() -> list[FontInfo]:
    """Usable TrueType fonts found (registers each: slow the first time), then the built-in fallback."""
    return [*REGISTRY.available(), _cid_fallback()]


def set_role_override(role: str, path_or_name: str | None) -> FontInfo:
    """Use this font (file path, family label or registered name) for a role; None/"" back to automatic.

    In memory only: the UI stores the choice in the setting ``fonts.<role>`` and calls
    :func:`load_overrides` at start-up. Raises NeiqinError if the font cannot be used.
    """
    return REGISTRY.set_override(role, path_or_name)


def load_overrides(values: Mapping[str, object]) -> None:
    """Apply saved choices: ``{"body": "C:/…/simsun.ttc"}`` or settings-style ``{"fonts.body": …}``.

    A saved font that is gone (uninstalled, another computer) is logged and ignored, never fatal.
    """
    for key, value in values.items():
        role = key.removeprefix("fonts.")
        if role not in ROLE_STYLES:
            continue
        try:
            REGISTRY.set_override(role, str(value) if value else None)
        except NeiqinError as e:
            log.warning("ignoring saved font for %s: %s", role, e)


def add_font_dir(path: str | Path) -> None:
    """Look for fonts in this folder too, before the system folders (e.g. fonts copied beside the data)."""
    REGISTRY.add_dir(path)


def load_saved() -> None:
    """Apply the choices saved in the database settings (``fonts.<role>``); call once the database is open.

    Roles left on automatic cost nothing here: fonts are still only scanned when something is printed.
    """
    from neiqin.models import settings

    saved = {f"fonts.{role}": settings.get(f"fonts.{role}") for role in ROLES}
    load_overrides({k: v for k, v in saved.items() if v or k.removeprefix("fonts.") in REGISTRY.overrides})


def found_fonts() -> list[tuple[str, str, str]]:
    """(path, family label, why it cannot be used or "") for each font file found, without registering any:
    cheap enough for a settings page to list."""
    return [(path, family, probe(path, subfont) or "") for path, subfont, family, _ in REGISTRY._scan()]


def check_font_file(path: str | Path) -> FontInfo:
    """Register a font file the clerk picked, or raise NeiqinError saying in Chinese why it cannot be used."""
    p = Path(path)
    if not p.is_file():
        raise NeiqinError(f"找不到字体文件“{p}”")
    reason = probe(p)
    if reason:
        raise NeiqinError(f"字体文件“{p.name}”无法用于打印：{reason}")
    info = REGISTRY.resolve(str(p))
    if info is None:
        raise NeiqinError(f"字体文件“{p.name}”无法读取或已损坏，请换一个 TrueType（.ttf/.ttc）字体")
    return info


def automatic_font(role: str) -> FontInfo:
    """The font a role gets when the clerk has not chosen one."""
    if role not in ROLE_STYLES:
        raise KeyError(role)
    return REGISTRY._best(role)
