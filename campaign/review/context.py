"""What a reviewer sees beside a post, and a reviewer's kept edits applied to composed drafts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from campaign.models import Article, Draft, Highlight, ReviewContext

MAX_SENTENCE = 800
LOOK_BACK = 6  # sentences looked back for the one that names the speaker


def source_sentence(article: Article, h: Highlight) -> str:
    """The article's sentence(s) the highlight lies in (with its attribution when it shares
    them), or "" for an `extra:` quote the article does not contain."""
    if h.start < 0 or h.end <= h.start:
        return ""
    sentences = list(article.sentences)
    idx = [i for i, s in enumerate(sentences) if s.start < h.end and s.end > h.start]
    if not idx:
        return article.text[h.start:h.end]
    text = " ".join(sentences[i].text for i in idx)
    if h.speaker and not _names(text, h.speaker):  # a pronoun or a name further back: show where it was
        back = next((sentences[i].text for i in range(idx[0] - 1, max(idx[0] - LOOK_BACK, 0) - 1, -1)
                     if _names(sentences[i].text, h.speaker)), None)
        if back:
            text = f"{back} … {text}"
    return text if len(text) <= MAX_SENTENCE else text[: MAX_SENTENCE - 1] + "…"


def _names(text: str, speaker: str) -> bool:
    """Does `text` name `speaker` (in full, or by the last word of the name)?"""
    last = speaker.split()[-1] if speaker.split() else speaker
    return speaker in text or (len(last) > 2 and last in text)


def review_contexts(article: Article, highlights: Iterable[Highlight]) -> dict[str, ReviewContext]:
    """One ReviewContext per highlight id."""
    return {h.id: ReviewContext(kind=h.kind, quote=h.text, speaker=h.speaker, confident=h.confident,
                                evidence=h.evidence, sentence=source_sentence(article, h), pinned=h.pinned)
            for h in highlights}


def measure(platform: str, parts: Iterable[str]) -> tuple[int, ...]:
    """Each part's length by `platform`'s rules (characters, for a platform not installed)."""
    from campaign import platforms
    from campaign.errors import UnknownPlatformError

    texts = tuple(parts)
    try:
        rules = platforms.get(platform)
    except UnknownPlatformError:
        return tuple(len(t) for t in texts)
    return tuple(rules.length(t) for t in texts)


def apply_overrides(drafts: Iterable[Draft], overrides: Mapping[tuple[str, str], tuple[str, ...]]) -> list[Draft]:
    """Each draft with a reviewer's kept edit (by account and highlight id) takes the edited
    parts, measured by its platform's rules; an edit over the limit keeps a warning."""
    out = []
    for d in drafts:
        parts = overrides.get((d.account, d.highlight_id))
        if not parts:
            out.append(d)
            continue
        lengths = measure(d.platform, parts)
        warnings = tuple(f"part {i + 1} of the reviewer's edit is too long: {n}/{d.limit}"
                         for i, n in enumerate(lengths) if n > d.limit)
        out.append(replace(d, parts=tuple(parts), lengths=lengths,
                           warnings=(*warnings, "text edited by a reviewer")))
    return out
