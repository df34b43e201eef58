"""Frames that give a quote's words to someone other than the sentence's subject ("Reyes mocked
Lopez’s promise that “…”", "quoting Lopez:") or to no one ("Lopez denied saying “…”"). The owner of
relayed words is a guess, never the person relaying them."""

from __future__ import annotations

from dataclasses import replace

import regex

from campaign.highlights.lexicon import NAME_RUN
from campaign.highlights.speakers import Registry, Speaker, parse_np

# Words the sentence's subject reports as someone else's, or disowns. Each ends right at the quote.
_RELAYED = [
    # "Reyes mocked Lopez’s promise that “…”", "Reyes said the mayor’s words, “…”, were empty"
    regex.compile(r"(?P<who>" + NAME_RUN + r"|(?:the|a|an|one|his|her|their|my|our)\s+\p{Ll}+(?:\s+\p{Ll}+)?)['’]s?\s+"
                  r"(?:[\p{Ll}\-]+\s+){0,2}?"
                  r"(?:promise|claim|charge|words|letter|statement|remarks?|comments?|pledge|vow|assertion|"
                  r"suggestion|argument|tweet|message|warning|question|answer|quip|joke|boast|insistence|"
                  r"contention|accusation|allegation|slogan|motto|refrain|catchphrase|line)"
                  r"(?:\s+aloud)?(?:\s+that\s*|\s*[:,]\s*)$"),  # (not "Ginsburg’s comments “shows bias”": a predicate)
    # "Reyes quoted Lopez:", "quoting Lopez as saying", "Reyes, quoting Lopez, said"
    regex.compile(r"\b(?:quoting|quoted|citing|paraphrasing|paraphrased)\s+(?P<who>" + NAME_RUN + r")"
                  r"(?:\s+as\s+(?:saying|telling\s+\p{L}+)|\s*,\s*(?:said|says|wrote|told\s+\p{L}+))?"
                  r"(?:\s+that)?\s*[:,]?\s*$"),
    # "Lopez said Reyes was wrong to claim “…”": the infinitive's subject, not the sentence's
    regex.compile(r"\b(?P<who>" + NAME_RUN + r")\s+(?:was|is|were|had\s+been)\s+(?:\p{Ll}+\s+){0,2}to\s+(?:claim|say|suggest|"
                  r"argue|insist|call|describe|tell\s+\p{L}+)(?:\s+that)?\s*[:,]?\s*$"),
    # "Reyes received a letter from Lopez:", "Lopez read a letter from a dock worker:"
    regex.compile(r"\b(?:letter|message|e-?mail|note|text|statement|memo)\s+from\s+(?P<who>" + NAME_RUN
                  + r"|(?:a|an|one)\s+(?:\p{Ll}+\s+){0,2}\p{Ll}+)\s*[:,]?\s*$"),
    # "Reyes accused Lopez of saying", "Reyes recalled Lopez telling him"
    regex.compile(r"\b(?:accused|accuses|recalled|recalls|remembered|remembers|heard|quoted)\s+(?P<who>" + NAME_RUN
                  + r")\s+(?:of\s+)?(?:saying|telling\s+\p{L}+|writing|asking)(?:\s+that)?\s*[:,]?\s*$"),
]
# "Lopez denied saying “…”", "Asked whether “…”, Lopez said no": the words are not the subject's
_DISOWNED = regex.compile(r"\b(?:(?:never|not|n['’]t|refused\s+to|declined\s+to)\s+(?:\p{Ll}+ly\s+)?(?:say|said|tell|told|write|"
                          r"wrote|call|called)(?:\s+\p{L}+)?(?:\s+that)?\s*[:,]?\s*$|^\s*(?:If|Unless|Should)\s+[^,]*$)|"
                          r"\b(?:denied|denies|deny|denying)\s+(?:ever\s+)?(?:having\s+)?(?:saying|said|telling\s+\p{L}+|"
                          r"calling(?:\s+[\p{L}’'\-]+){1,3}|called(?:\s+[\p{L}’'\-]+){1,3}|"
                          r"told\s+\p{L}+|writing|written)(?:\s+that)?\s*[:,]?\s*$|^\s*Asked\s+(?:whether|if|about|why|how|what|when)\b[^,]*$")


# "Reyes held up a banner that said “…”": words on a sign, no one's speech
_SIGN = regex.compile(r"\b(?:banner|sign|placard|poster|t-?shirt|shirt|hat|cap|button|sticker|billboard|mural|graffiti)s?\s+"
                      r"(?:that|which)\s+(?:said|says|read|reads)\s*[:,]?\s*$", regex.I)


def relayed(before: str, reg: Registry) -> Speaker | None:
    """The person whose words a frame relays ("Lopez’s promise that", "quoting Lopez:"), as a guess;
    Speaker(None) when the frame disowns the words ("denied saying", "Asked whether"); None when the
    frame is neither."""
    if _DISOWNED.search(before) or _SIGN.search(before):
        return Speaker(None, "person", sure=False)
    for rx in _RELAYED:
        m = rx.search(before)
        if m is not None:
            sp = parse_np(m.group("who"), reg)  # ("her father’s words": no one named, so no one)
            if sp is not None and sp.kind in ("person", "group") and sp.name:
                return replace(sp, sure=False)
            return Speaker(None, "person", sure=False)
    return None
