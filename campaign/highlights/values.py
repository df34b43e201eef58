"""The working value of the highlight stage: a quote found in the article, being attributed.

After attribution, `speaker` is set only when the attribution is confident; a plausible but
uncertain speaker is kept in `guess`, and `evidence` says in words how either was found."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Quote:
    """A direct quote: its pieces' content spans in `Article.text` and its speaker (or None)."""

    pieces: list[tuple[int, int]]
    paragraph: int
    opener: int  # offset of the first opening mark
    closer: int  # offset just past the last closing mark (or the paragraph end if it runs on)
    text: str = ""
    speaker: str | None = None
    role: str | None = None
    speaker_kind: str | None = None
    sieve: str = ""
    partial: bool = False
    ends_sentence: bool = True
    continued: bool = False  # carries on a quote from the previous paragraph
    runs_on: bool = False  # carries on into the next paragraph
    pronoun: str | None = None
    pronoun_word: str | None = None  # "he", "she", "il", "وی": the word a pronoun speaker was
    inner: tuple[int, int] | None = None  # the attribution between the pieces of a split quote
    hidden: bool = False  # a short utterance ("Why?" she asked.): attributed, then dropped
    confident: bool = False  # the speaker is sure; otherwise it is kept as `guess`, not `speaker`
    guess: str | None = None  # an uncertain speaker: shown to the organizer, never posted unasked
    evidence: str = ""  # how the speaker was found, in words, with the sentence it came from
