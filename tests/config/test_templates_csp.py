"""The CSP allows no inline scripts, styles or event handlers; this keeps the project's templates within it.

JSON-LD blocks (`<script type="application/ld+json">`) are data, never executed, and are allowed.
"""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def template_files() -> list[Path]:
    """Every template served as a web page; email bodies are read by mail clients, not under our CSP."""
    return sorted(
        path for path in TEMPLATES.rglob("*.html") if path.relative_to(TEMPLATES).parts[0] != "email"
    )


def csp_violations(html: str) -> list[str]:
    found = []
    for attributes in SCRIPT_TAG.findall(html):
        if "src=" not in attributes and "application/ld+json" not in attributes:
            found.append(f"inline <script{attributes}>")
    found += [f"inline style: {match.group(0)!r}" for match in INLINE_STYLE.finditer(html)]
    found += [f"event handler: {match.group(0)[:60]!r}" for match in EVENT_HANDLER.finditer(html)]
    found += [f"javascript: URL: {match.group(0)!r}" for match in JAVASCRIPT_URL.finditer(html)]
    return found


@pytest.mark.parametrize("template", template_files(), ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_template_has_nothing_the_csp_would_block(template):
    assert csp_violations(template.read_text()) == []


def test_the_check_recognises_what_the_csp_blocks():
    assert csp_violations('<script>alert(1)</script><p style="color:red" onclick="x()">') != []
    assert len(csp_violations('<script>alert(1)</script><p style="color:red" onclick="x()">')) == 3
    assert csp_violations('<script type="application/ld+json">{}</script><script src="/s.js"></script>') == []
