"""`campaign review`: the full-screen terminal review (textual), keyboard only, fits 80×24.

It walks the pending posts in schedule order and shows each as it will look on its platform:
every part of a thread with its length against the limit, the card's path and alt text, the
quote's source sentence and how its speaker was found (an uncertain speaker is flagged), and
what changed since the text was last approved. Decisions go through `campaign.review.actions`.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from campaign.errors import CampaignError
from campaign.queue.store import Store
from campaign.review.actions import Post, approve_posts, edit_post, pending_posts, reject_post
from campaign.review.diff import word_diff

#: a line made of this alone separates a thread's parts in the editor
PART_BREAK = "---"


@dataclass
class Tally:
    approved: list[int] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    edited: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    signed: list[int] = field(default_factory=list)  # approved by this reviewer, still short of `approvals: N`

    def summary(self) -> str:
        def ids(xs: list[int]) -> str:
            return f" ({', '.join('#' + str(i) for i in xs)})" if xs else ""
        waiting = f", signed {len(self.signed)}{ids(self.signed)} (awaiting more approvals)" if self.signed else ""
        return (f"approved {len(self.approved)}{ids(self.approved)}{waiting}, rejected {len(self.rejected)}"
                f"{ids(self.rejected)}, edited {len(self.edited)}{ids(self.edited)}, skipped {len(self.skipped)}")


def _local(dt: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    return dt.astimezone(ZoneInfo(zone)).strftime("%a %Y-%m-%d %H:%M %Z")


def _home(path: str) -> str:
    """`path` with the home folder written `~` (shorter on an 80-column screen)."""
    home = str(Path.home())
    return "~" + path[len(home):] if home != "/" and path.startswith(home + "/") else path


def render_post(post: Post, *, now: datetime, index: int, total: int) -> Text:
    """The post as plain rich Text (no markup from the data is ever interpreted)."""
    j = post.first
    out = Text()
    out.append(f"#{post.id}  {j.account} ({j.platform})  {_local(j.run_at, j.zone)}", style="bold")
    out.append(f"   {index + 1}/{total}\n")
    state = f"{j.review} {len(j.approvals)}/{post.needed}"
    if j.approvals:
        state += " by " + ", ".join(j.approvals)
    out.append(state, style="yellow")
    if post.overdue(now):
        out.append("  OVERDUE: its time has come", style="bold red")
    out.append("\n")
    for k, job in enumerate(post.jobs):
        n, limit = job.draft.lengths[0], job.draft.limit
        head = f"part {k + 1}/{len(post.jobs)} · " if len(post.jobs) > 1 else ""
        out.append(f"── {head}{n}/{limit} ──", style="red" if n > limit else "dim")
        out.append("\n" + job.draft.text + "\n")
    for m in j.draft.media:
        out.append("Card: ", style="bold")
        out.append(_home(m.path) + "\n")
        out.append("Alt:  ", style="bold")
        out.append((m.alt or "(none)") + "\n")
    ctx = post.context
    if ctx is not None:
        if ctx.kind == "quote":
            out.append("Speaker: ", style="bold")
            out.append(ctx.speaker or "(none)")
            if post.uncertain:
                out.append("  UNCERTAIN: check the source", style="bold red")
                if not ctx.pinned:
                    out.append(" (not named on the post unless pinned)")
            out.append("\n")
            if ctx.evidence:
                out.append("Evidence: ", style="bold")
                out.append(ctx.evidence + "\n")
        if ctx.sentence:
            out.append("Source: ", style="bold")
            out.append(ctx.sentence + "\n")
    for old, new in post.changes():
        out.append("Changed since approved: ", style="bold magenta")
        for op, words in word_diff(old, new):
            out.append(words, style={"=": "", "-": "red strike", "+": "green bold"}[op])
        out.append("\n")
    return out


class NoteScreen(ModalScreen[str | None]):
    """Asks for a rejection's note; Enter rejects, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    NoteScreen { align: center middle; }
    #dialog { width: 72; max-width: 100%; height: auto; border: round $error; padding: 0 1; background: $surface; }
    """

    def __init__(self, post_id: int) -> None:
        super().__init__()
        self.post_id = post_id

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Reject #{self.post_id}: why? (Enter rejects, Esc cancels)")
            yield Input(placeholder="a note for the author", id="note")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReviewApp(App[str]):
    """One pending post at a time; keys in the footer."""

    TITLE = "campaign review"
    ENABLE_COMMAND_PALETTE = False  # its footer hint would hide "q Quit" below 80 columns
    BINDINGS = [
        Binding("a", "approve", "Approve"),
        Binding("r", "reject", "Reject"),
        Binding("s", "skip", "Skip"),
        Binding("e", "edit", "Edit"),
        Binding("o", "open_card", "Open card"),
        Binding("q", "quit_review", "Quit"),
    ]
    CSS = """
    #top { height: 1; background: $primary; color: $text; padding: 0 1; }
    #post { height: 1fr; padding: 0 1; }
    #message { height: 1; padding: 0 1; color: $warning; }
    """

    def __init__(self, store: Store, *, reviewer: str, campaign: str | None = None,
                 now: Any = None) -> None:
        super().__init__()
        self.store = store
        self.reviewer = reviewer
        self.campaign = campaign
        self.clock = now or (lambda: datetime.now(UTC))
        self.posts: list[Post] = pending_posts(store, campaign=campaign)
        self.index = 0
        self.tally = Tally()

    def compose(self) -> ComposeResult:
        yield Static(id="top")
        with VerticalScroll(id="post"):
            yield Static(id="body")
        yield Static(id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    # -- drawing ----------------------------------------------------------------------------

    def current(self) -> Post | None:
        return self.posts[self.index] if self.index < len(self.posts) else None

    def show(self, message: str = "") -> None:
        post = self.current()
        left = len(self.posts) - self.index
        self.query_one("#top", Static).update(
            Text(f"campaign review · {self.reviewer} · {max(left, 0)} to review"
                 + (f" · {self.campaign}" if self.campaign else "") + " · ↑↓ PgUp PgDn scroll",
                 no_wrap=True, overflow="ellipsis"))
        body = self.query_one("#body", Static)
        if post is None:
            body.update(Text("Nothing left to review.\n\n" + self.tally.summary() + "\n\nPress q to quit."))
        else:
            body.update(render_post(post, now=self.clock(), index=self.index, total=len(self.posts)))
            self.query_one("#post", VerticalScroll).scroll_home(animate=False)
        self.query_one("#message", Static).update(Text(message, no_wrap=True, overflow="ellipsis"))

    def _refresh_current(self) -> None:
        """Re-read the current post from the store (after an edit)."""
        post = self.current()
        if post is None:
            return
        fresh = [p for p in pending_posts(self.store, campaign=post.first.campaign)
                 if (p.first.account, p.first.highlight_id) == (post.first.account, post.first.highlight_id)]
        if fresh:
            self.posts[self.index] = fresh[0]

    def advance(self, message: str) -> None:
        self.index += 1
        self.show(message)

    # -- actions ----------------------------------------------------------------------------

    def action_approve(self) -> None:
        post = self.current()
        if post is None:
            return
        try:
            (done,) = approve_posts(self.store, [post.id], reviewer=self.reviewer, now=self.clock())
        except CampaignError as e:
            self.show(f"not approved: {e}")
            return
        if done.state == "approved":
            self.tally.approved.append(post.id)
            self.advance(f"#{post.id} approved; goes out {_local(done.job.run_at, done.job.zone)}")
        else:
            self.tally.signed.append(post.id)
            self.advance(f"#{post.id}: your approval is {len(done.approvals)} of {done.needed}")

    def action_reject(self) -> None:
        post = self.current()
        if post is None:
            return

        def done(note: str | None) -> None:
            if note is None:
                self.show("rejection cancelled")
                return
            if not note.strip():
                self.show(f"#{post.id} not rejected: a rejection needs a note saying why (press r and write it)")
                return
            try:
                reject_post(self.store, post.id, reviewer=self.reviewer, note=note, now=self.clock())
            except CampaignError as e:
                self.show(f"not rejected: {e}")
                return
            self.tally.rejected.append(post.id)
            self.advance(f"#{post.id} rejected")

        self.push_screen(NoteScreen(post.id), done)

    def action_skip(self) -> None:
        post = self.current()
        if post is not None:
            self.tally.skipped.append(post.id)
            self.advance(f"#{post.id} skipped")

    def action_edit(self) -> None:
        post = self.current()
        if post is None:
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        with tempfile.TemporaryDirectory(prefix="campaign-review-") as tmp:
            path = Path(tmp) / f"post-{post.id}.txt"
            path.write_text(f"\n{PART_BREAK}\n".join(post.parts) + "\n", encoding="utf-8")
            try:
                with self.suspend():
                    code = subprocess.call([*shlex.split(editor), str(path)])
            except OSError as e:
                self.show(f"cannot run the editor {editor!r}: {e.strerror or e}")
                return
            text = path.read_text(encoding="utf-8")
        if code != 0:
            self.show(f"the editor exited with status {code}; nothing changed")
            return
        parts = [p.strip() for p in text.split(f"\n{PART_BREAK}\n")]
        if tuple(p for p in parts if p) == post.parts:
            self.show("text unchanged")
            return
        try:
            edit_post(self.store, post.id, parts, by=self.reviewer, now=self.clock())
        except CampaignError as e:
            self.show(f"not edited: {e}")
            return
        self.tally.edited.append(post.id)
        self._refresh_current()
        self.show(f"#{post.id} edited: kept when the campaign is queued again; it needs approval")

    def action_open_card(self) -> None:
        post = self.current()
        if post is None or not post.first.draft.media:
            self.show("this post has no card")
            return
        opener = os.environ.get("CAMPAIGN_OPENER") or "xdg-open"
        try:  # a local file (a PostgreSQL queue's card is fetched from the database first)
            path = str(self.store.media_file(post.first.draft.media[0].path))
        except CampaignError as e:
            self.show(str(e))
            return
        try:
            subprocess.Popen([*shlex.split(opener), path], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as e:
            self.show(f"cannot open the card with {opener!r}: {e.strerror or e} (set CAMPAIGN_OPENER)")
            return
        self.show(f"opened the card {Path(path).name} with {opener}")

    def action_quit_review(self) -> None:
        self.exit(self.tally.summary())


def run_review(store: Store, *, reviewer: str, campaign: str | None = None) -> str:
    """Run the review in this terminal; the summary of what was decided."""
    app = ReviewApp(store, reviewer=reviewer, campaign=campaign)
    return app.run() or app.tally.summary()
