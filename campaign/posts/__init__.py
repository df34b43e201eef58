"""Posts: templates filled and fitted to each platform's rules as Drafts.

- `compose`: highlight × account → a Draft that fits (templates, hashtags, links, threads).
- `textfit`: where text may be cut (sentences, words, graphemes) and typographic quotes.
"""
