"""The campaign YAML: its schema, typed values, file:line problem reporting and YAML positions.

`load(path)` returns a validated `CampaignConfig` with relative paths resolved against the
YAML file's folder, or raises `ConfigError` listing every problem found as
`file:line:column: field: problem`.

- `schema`: one pydantic model per section (`extra="forbid"`).
- `types`: durations, clock times, zones, language tags.
- `problems`: pydantic errors turned into located `Problem`s.
- `yamlpos`: YAML loaded with the line and column of every value.
- `load`: reading a file and the checks that need the file system or the platform registry.
"""

from campaign.config.load import load, loads
from campaign.config.schema import (
    Account,
    ArticleSection,
    AutoHighlights,
    CampaignConfig,
    CampaignSection,
    CardsSection,
    ExtraQuote,
    Handles,
    Hashtag,
    HighlightsSection,
    LinkTracking,
    LiteralQuote,
    PlatformPosts,
    PostsSection,
    RateLimit,
    Schedule,
    Slot,
    Theme,
    ThreadPolicy,
)
from campaign.config.types import (
    parse_clock,
    parse_duration,
    parse_language,
    parse_local_datetime,
    parse_zone,
)

__all__ = [
    "Account", "ArticleSection", "AutoHighlights", "CampaignConfig", "CampaignSection",
    "CardsSection", "ExtraQuote", "Handles", "Hashtag", "HighlightsSection", "LinkTracking",
    "LiteralQuote", "PlatformPosts", "PostsSection", "RateLimit", "Schedule", "Slot", "Theme",
    "ThreadPolicy", "load", "loads", "parse_clock", "parse_duration", "parse_language",
    "parse_local_datetime", "parse_zone",
]
