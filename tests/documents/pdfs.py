"""Helpers to read what a PDF says and shows: its text (pypdf) and its codes (poppler + zxing)."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader


def pdf_text(pdf: bytes) -> list[str]:
    """The text of each page."""
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def render_pages(pdf: bytes, dpi: int = 150, save_as: str | None = None) -> list[Image.Image]:
    """Each page as an image, drawn by poppler's pdftoppm (kept under screenshots/ if named)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-png", str(source), str(Path(folder) / "page")],
            check=True,
            timeout=60,
        )
        images = []
        for index, path in enumerate(sorted(Path(folder).glob("page*.png"))):
            image = Image.open(path)
            image.load()
            images.append(image)
            if save_as:
                target = Path("screenshots") / f"{save_as}-{index + 1}.png"
                target.parent.mkdir(exist_ok=True)
                shutil.copy(path, target)
        return images


def codes(image: Image.Image) -> dict[str, str]:
    """The barcodes on a page: {format name: text}."""
    return {str(r.format).replace(" ", ""): r.text for r in zxingcpp.read_barcodes(image)}
