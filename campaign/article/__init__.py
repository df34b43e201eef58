"""Reading an article (a .txt, .md or .html file, or an http(s) URL) into an `Article`.

- `read`: files and URLs to an Article with paragraph and sentence offsets.
- `html`: HTML to paragraphs (trafilatura, with a fallback).
- `boilerplate`: what is not the article (bios, related headlines, share lines).
- `sentences`: sentence splitting that knows abbreviations and quote marks.
"""

from campaign.article.read import build_article, read_article, text_article

__all__ = ["build_article", "read_article", "text_article"]
