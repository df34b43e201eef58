"""The volunteer pack: a self-contained static page that arms supporters' own accounts.

`write_pack(cfg_or_brief, highlights, drafts, cards, out_dir, window=..., zip=...)` writes
`index.html` (posts per platform with copy and share buttons, every card with its alt text)
and copies the card images beside it; see `campaign.pack.writer`.
"""

from campaign.pack.drafts import pack_drafts, pack_platforms
from campaign.pack.writer import Brief, Person, pack_zip_path, posting_window, write_pack

__all__ = ["Brief", "Person", "pack_drafts", "pack_platforms", "pack_zip_path", "posting_window", "write_pack"]
