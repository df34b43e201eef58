"""Highlights: the quotes, who said them, and the sentences worth posting.

- `quotes`: direct-quote spans in every common quote style, merged when split by attribution.
- `attribution`: who said each quote (adjacent "X said", paragraph speakers, transcripts).
- `pronouns`: he/she resolved to a person; the subject of the sentence a quote stands in.
- `ranker`: the learned model that ranks a pronoun's candidates and says when the answer is sure.
- `speakers`: noun phrases to a speaker's name and role; `verbs`: reporting-verb lexicons.
- `mentions`: the people named in an article (the registry that resolves short forms).
- `select`: candidates (quotes, pull quotes, key sentences), ranking and the campaign's choice.
"""

from campaign.highlights.select import (
    display,
    extract,
    highlight_id,
    highlights_for,
    normalize,
    select,
)

__all__ = ["display", "extract", "highlight_id", "highlights_for", "normalize", "select"]
