"""Review before anything goes out: who signed off each queued post, and the tools to sign.

- `context`: what a reviewer sees beside a post (the quote's source sentence, its speaker's
  evidence), and a reviewer's kept edits applied to composed drafts.
- `actions`: approve (one post, or in bulk), reject, list what waits, edit a post's text,
  move a post approved after its slot to the next one; the reviewer's name.
- `diff`: a word diff of a post against the text that was approved.
- `pack`: which highlights the volunteer pack may show when review is required.
- `tui`: `campaign review`, the full-screen terminal review (textual).

The rules every store keeps (states, N-of-M approvals, resets on edits) live in
`campaign.queue.review`; the stores record decisions as job events.
"""

from campaign.review.actions import (
    BulkResult,
    Post,
    ReviewCounts,
    approve_bulk,
    approve_each,
    approve_posts,
    edit_post,
    next_slot,
    pending_posts,
    reject_post,
    rejection,
    review_counts,
    review_states,
    reviewer_identity,
)
from campaign.review.context import apply_overrides, review_contexts
from campaign.review.diff import word_diff

__all__ = [
    "BulkResult", "Post", "ReviewCounts", "apply_overrides", "approve_bulk", "approve_each", "approve_posts", "edit_post",
    "next_slot", "pending_posts", "reject_post", "rejection", "review_contexts", "review_counts", "review_states",
    "reviewer_identity",
    "word_diff",
]
