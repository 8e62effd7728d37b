"""The admins' Impressum and privacy notice are Markdown rendered safely: no raw HTML, no script links."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sprachmittlerpool.identity import render_markdown

UNSAFE_LINKS = [
    "[Klick](javascript:alert(1))",
    "[Klick](JaVaScRiPt:alert(1))",
    "[Klick](&#106;avascript:alert(1))",
    "[Klick](&#x6A;avascript&colon;alert(1))",
    "[Klick](java%0ascript:alert(1))",
    "[Klick]( javascript:alert(1))",
    "[Klick](vbscript:msgbox(1))",
    "[Klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![Bild](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<javascript:alert(1)>",
    "[Klick][ref]\n\n[ref]: javascript:alert(1)",
    "[Klick](file:///etc/passwd)",
]


def hrefs(html: str) -> list[str]:
    """Return every link target in rendered HTML."""
    return re.findall(r'href="([^"]*)"', html)


def test_a_script_tag_is_shown_as_text_not_run() -> None:
    html = render_markdown("Hallo <script>alert(1)</script> Welt")

    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "raw",
    [
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<!-- versteckt --><style>body{display:none}</style>",
    ],
)
def test_raw_html_blocks_and_inline_tags_are_escaped(raw: str) -> None:
    html = render_markdown(f"Absatz\n\n{raw}\n\nund {raw} im Text")

    assert re.search(r"<(img|a|iframe|div|style|!--)\b", html) is None, html
    assert "&lt;" in html


@pytest.mark.parametrize("source", UNSAFE_LINKS)
def test_links_to_scripts_data_and_files_are_not_made(source: str) -> None:
    html = render_markdown(source)

    assert hrefs(html) == [] and "<img" not in html, html


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[Kreis](https://www.kreis-kleve.de/)", "https://www.kreis-kleve.de/"),
        ("[Post](mailto:ki@kreis-kleve.example)", "mailto:ki@kreis-kleve.example"),
        ("[Anruf](tel:+4928218500)", "tel:+4928218500"),
        ("[Datenschutz](/datenschutz)", "/datenschutz"),
        ("[oben](#anbieter)", "#anbieter"),
        ("<https://www.bfdi.bund.de>", "https://www.bfdi.bund.de"),
    ],
)
def test_web_mail_phone_and_relative_links_stay_links(source: str, href: str) -> None:
    assert hrefs(render_markdown(source)) == [href]


def test_an_image_is_never_loaded_from_anywhere_it_becomes_a_plain_link() -> None:
    html = render_markdown("![Logo](https://tracker.example/pixel.gif)")

    assert "<img" not in html
    assert hrefs(html) == ["https://tracker.example/pixel.gif"]


def test_headings_lists_emphasis_and_line_breaks_render_as_admins_expect() -> None:
    html = render_markdown("## Anbieter\n\nKreis Kleve\nNassauerallee 15\n\n- **fett** und *kursiv*")

    assert "<h2>Anbieter</h2>" in html
    assert "Kreis Kleve<br />\nNassauerallee 15" in html  # a typed line break stays one
    assert "<li><strong>fett</strong> und <em>kursiv</em></li>" in html


@given(st.text(alphabet=st.sampled_from(list("<>[]()!:/&#;\"' =javscriptdtJVSx\n")), max_size=80))
def test_no_markdown_at_all_yields_a_tag_or_link_beyond_the_safe_set(source: str) -> None:
    html = render_markdown(source)

    tags = set(re.findall(r"</?([a-zA-Z0-9]+)", html))
    assert tags <= {
        "p",
        "a",
        "br",
        "em",
        "strong",
        "code",
        "pre",
        "h1",
        "h2",
        "ul",
        "ol",
        "li",
        "hr",
        "blockquote",
    }
    for href in hrefs(html):
        assert not re.match(r"\s*(javascript|vbscript|data|file):", href, re.IGNORECASE), href
