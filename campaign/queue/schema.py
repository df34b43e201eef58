"""The SQLite queue's schema, its forward migrations, and every SQL statement (named parameters).

Kept apart from `campaign.queue.sqlite` so the SQL reads in one place. Times are stored
as fixed-width UTC text (`2026-03-29T07:00:00.000000Z`), which sorts as time does.
"""

from __future__ import annotations

NO_UPDATE_TRIGGER = """CREATE TRIGGER job_events_no_update BEFORE UPDATE ON job_events
            BEGIN SELECT RAISE(ABORT, 'job_events is append-only'); END"""

# Each entry moves the schema from version i to i+1 (PRAGMA user_version). Append only.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE campaigns (
            slug TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            zone TEXT NOT NULL,
            language TEXT NOT NULL,
            base_dir TEXT NOT NULL,
            config_path TEXT,
            accounts TEXT NOT NULL,
            anchor TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        """CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            campaign TEXT NOT NULL REFERENCES campaigns(slug),
            account TEXT NOT NULL,
            platform TEXT NOT NULL,
            highlight_id TEXT NOT NULL,
            part INTEGER NOT NULL CHECK (part >= 0),
            parts INTEGER NOT NULL CHECK (parts >= 1),
            dedupe_key TEXT NOT NULL UNIQUE,
            idempotency_key TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL DEFAULT 'todo'
                CHECK (status IN ('todo', 'doing', 'succeeded', 'failed', 'cancelled')),
            run_at TEXT NOT NULL,
            zone TEXT NOT NULL,
            draft TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            uncertain INTEGER NOT NULL DEFAULT 0 CHECK (uncertain IN (0, 1)),
            locked_by TEXT,
            locked_until TEXT,
            last_error TEXT,
            remote_id TEXT,
            remote_url TEXT,
            remote_extra TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK ((status = 'doing') = (locked_by IS NOT NULL AND locked_until IS NOT NULL)),
            CHECK (status <> 'succeeded' OR remote_id IS NOT NULL))""",
        "CREATE INDEX jobs_todo ON jobs (run_at, id) WHERE status = 'todo'",
        "CREATE INDEX jobs_doing ON jobs (locked_until, id) WHERE status = 'doing'",
        "CREATE INDEX jobs_thread ON jobs (campaign, account, highlight_id, part)",
        "CREATE INDEX jobs_status ON jobs (status, run_at)",
        """CREATE TABLE job_events (
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES jobs(id),
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            owner TEXT,
            detail TEXT)""",
        "CREATE INDEX job_events_job ON job_events (job_id, id)",
        "CREATE INDEX job_events_started ON job_events (at) WHERE kind = 'started'",
        NO_UPDATE_TRIGGER,
        """CREATE TRIGGER job_events_no_delete BEFORE DELETE ON job_events
            BEGIN SELECT RAISE(ABORT, 'job_events is append-only'); END""",
    ],
    [  # metrics snapshots (issue 19, `campaign report`): one row per reading of a published job
        """CREATE TABLE metrics_snapshots (
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES jobs(id),
            at TEXT NOT NULL,
            likes INTEGER NOT NULL CHECK (likes >= 0),
            reposts INTEGER NOT NULL CHECK (reposts >= 0),
            replies INTEGER NOT NULL CHECK (replies >= 0),
            quotes INTEGER CHECK (quotes >= 0),
            gone INTEGER NOT NULL DEFAULT 0 CHECK (gone IN (0, 1)),
            simulated INTEGER NOT NULL DEFAULT 0 CHECK (simulated IN (0, 1)))""",
        "CREATE INDEX metrics_snapshots_job ON metrics_snapshots (job_id, at, id)",
    ],
    [  # review (issue 16): the campaign's policy, each job's review state, kept edits of posts
        "ALTER TABLE campaigns ADD COLUMN review TEXT NOT NULL DEFAULT 'off' CHECK (review IN ('off', 'required'))",
        "ALTER TABLE campaigns ADD COLUMN approvals INTEGER NOT NULL DEFAULT 1 CHECK (approvals >= 1)",
        "ALTER TABLE campaigns ADD COLUMN reviewers TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE jobs ADD COLUMN review TEXT NOT NULL DEFAULT 'pending' "
        "CHECK (review IN ('pending', 'approved', 'rejected'))",
        "ALTER TABLE jobs ADD COLUMN approvals TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE jobs ADD COLUMN reviewed_hash TEXT",
        "ALTER TABLE jobs ADD COLUMN approved_text TEXT",
        "ALTER TABLE jobs ADD COLUMN context TEXT",
        """CREATE TABLE post_overrides (
            campaign TEXT NOT NULL REFERENCES campaigns(slug),
            account TEXT NOT NULL,
            highlight_id TEXT NOT NULL,
            parts TEXT NOT NULL,
            by TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (campaign, account, highlight_id))""",
    ],
    [  # day two (issue 15): what the organizer did by hand to a job, kept by re-queues unless --replan
        "ALTER TABLE jobs ADD COLUMN by_hand TEXT CHECK (by_hand IN ('time', 'cancel'))",
        # jobs cancelled before this column: by hand, unless their cancel said they left the config
        """UPDATE jobs SET by_hand = 'cancel' WHERE status = 'cancelled' AND COALESCE((SELECT e.detail
            FROM job_events e WHERE e.job_id = jobs.id AND e.kind = 'cancelled' ORDER BY e.id DESC LIMIT 1), '')
            <> 'no longer in the campaign config'""",
        # queued jobs rescheduled or retried by hand since the last re-queue that changed them
        """UPDATE jobs SET by_hand = 'time' WHERE status = 'todo' AND EXISTS (SELECT 1 FROM job_events e
            WHERE e.job_id = jobs.id AND (e.kind = 'rescheduled' OR (e.kind = 'requeued' AND e.detail LIKE
            '%retr% by hand%')) AND e.id > COALESCE((SELECT MAX(u.id) FROM job_events u WHERE u.job_id = jobs.id
            AND (u.kind = 'updated' OR (u.kind = 'requeued' AND u.detail NOT LIKE '%retr% by hand%'))), 0))""",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)

# The database's clock, in the fixed-width text every time is stored as: leases are judged by it,
# never by the `now` a worker passes (a worker whose clock runs ahead must not take a live lease).
DB_NOW = "SELECT strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')"

_NOT_BLOCKED = "AND {j}account NOT IN (SELECT value FROM json_each(:blocked))"
_PREV_DONE = """({j}part = 0 OR EXISTS (SELECT 1 FROM jobs p WHERE p.campaign = {j}campaign
    AND p.account = {j}account AND p.highlight_id = {j}highlight_id AND p.part = {j}part - 1
    AND p.status = 'succeeded'))"""
_EXPIRED = "SELECT id FROM jobs WHERE status = 'doing' AND locked_until <= :db_now {blocked} ORDER BY locked_until, id LIMIT 1"
# review (issue 16): a job of a campaign with `review: required` is claimable only once approved
REVIEWED = """({j}review = 'approved' OR NOT EXISTS (SELECT 1 FROM campaigns c
    WHERE c.slug = {j}campaign AND c.review = 'required'))"""
_DUE = ("SELECT j.id FROM jobs j WHERE j.status = 'todo' AND j.run_at <= :now {blocked} AND {prev} "
        f"AND {REVIEWED.format(j='j.')} ORDER BY j.run_at, j.id LIMIT 1")


def _claim_sql(blocked: bool) -> str:
    b = _NOT_BLOCKED if blocked else ""
    return f"""UPDATE jobs SET status = 'doing', attempts = attempts + 1, locked_by = :owner,
        locked_until = :until, updated_at = :now,
        uncertain = CASE WHEN status = 'doing' THEN 1 ELSE uncertain END
    WHERE id = COALESCE(({_EXPIRED.format(blocked=b.format(j=''))}),
                        ({_DUE.format(blocked=b.format(j='j.'), prev=_PREV_DONE.format(j='j.'))}))
    RETURNING *"""


SQL: dict[str, str] = {
    "claim": _claim_sql(False),
    "claim_limited": _claim_sql(True),
    "event": "INSERT INTO job_events (job_id, at, kind, attempt, owner, detail) "
             "VALUES (:job_id, :at, :kind, :attempt, :owner, :detail)",
    "prev_ref": "SELECT remote_id, remote_url, remote_extra FROM jobs WHERE campaign = :campaign "
                "AND account = :account AND highlight_id = :highlight_id AND part = :part "
                "AND status = 'succeeded'",
    "recent_starts": "SELECT e.at FROM job_events e JOIN jobs j ON j.id = e.job_id "
                     "WHERE e.kind = 'started' AND e.at > :since AND j.account = :account "
                     "ORDER BY e.at DESC LIMIT :posts",
    "succeed": "UPDATE jobs SET status = 'succeeded', remote_id = :remote_id, remote_url = :remote_url, "
               "remote_extra = :remote_extra, locked_by = NULL, locked_until = NULL, uncertain = 0, "
               "last_error = NULL, updated_at = :now "
               "WHERE id = :id AND status = 'doing' AND locked_by = :owner RETURNING *",
    "retry_later": "UPDATE jobs SET status = 'todo', run_at = :run_at, last_error = :error, "
                   "uncertain = :uncertain, locked_by = NULL, locked_until = NULL, updated_at = :now "
                   "WHERE id = :id AND status = 'doing' AND locked_by = :owner RETURNING *",
    "fail": "UPDATE jobs SET status = 'failed', last_error = :error, uncertain = :uncertain, locked_by = NULL, "
            "locked_until = NULL, updated_at = :now "
            "WHERE id = :id AND status = 'doing' AND locked_by = :owner RETURNING *",
    "release": "UPDATE jobs SET status = 'todo', attempts = attempts - 1, locked_by = NULL, "
               "locked_until = NULL, updated_at = :now "
               "WHERE id = :id AND status = 'doing' AND locked_by = :owner RETURNING *",
    "extend": "UPDATE jobs SET locked_until = :until "
              "WHERE id = :id AND status = 'doing' AND locked_by = :owner AND locked_until > :db_now",
    "db_now": DB_NOW,
    "later_parts": "UPDATE jobs SET status = :status, last_error = :error, updated_at = :now "
                   "WHERE campaign = :campaign AND account = :account AND highlight_id = :highlight_id "
                   "AND part > :part AND status IN ('todo') RETURNING id, attempts",
    "owners": "SELECT DISTINCT locked_by FROM jobs WHERE status = 'doing'",
    "expire": "UPDATE jobs SET locked_until = :db_now WHERE status = 'doing' AND locked_by = :owner "
              "AND locked_until > :db_now RETURNING id, attempts",
    "next_todo": f"SELECT MIN(j.run_at) FROM jobs j WHERE j.status = 'todo' {_NOT_BLOCKED.format(j='j.')} "
                 f"AND {_PREV_DONE.format(j='j.')} AND {REVIEWED.format(j='j.')}",
    # a running job of an account at its rate limit is not claimable until the limit lifts
    "next_lease": f"SELECT MIN(j.locked_until) FROM jobs j WHERE j.status = 'doing' {_NOT_BLOCKED.format(j='j.')}",
    "pending_accounts": "SELECT DISTINCT account FROM jobs WHERE status IN ('todo', 'doing')",
    "due": f"SELECT * FROM jobs j WHERE j.status = 'todo' AND j.run_at <= :now AND {_PREV_DONE.format(j='j.')} "
           f"AND {REVIEWED.format(j='j.')} ORDER BY j.run_at, j.id LIMIT :limit",
    "get": "SELECT * FROM jobs WHERE id = :id",
    "events": "SELECT * FROM job_events WHERE job_id = :id ORDER BY id",
    "counts": "SELECT status, COUNT(*) FROM jobs WHERE (:campaign IS NULL OR campaign = :campaign) "
              "GROUP BY status",
    "jobs": "SELECT * FROM jobs WHERE (:status IS NULL OR status = :status) "
            "AND (:campaign IS NULL OR campaign = :campaign) ORDER BY run_at, id LIMIT :limit",
    "campaign_jobs": "SELECT id, dedupe_key, status, uncertain, content_hash, run_at, by_hand FROM jobs "
                     "WHERE campaign = :campaign",
    "max_key": "SELECT MAX(idempotency_key) FROM jobs",
    "insert": "INSERT INTO jobs (campaign, account, platform, highlight_id, part, parts, dedupe_key, "
              "idempotency_key, status, run_at, zone, draft, content_hash, created_at, updated_at) "
              "VALUES (:campaign, :account, :platform, :highlight_id, :part, :parts, :dedupe_key, "
              ":idempotency_key, 'todo', :run_at, :zone, :draft, :content_hash, :now, :now)",
    "update_draft": "UPDATE jobs SET platform = :platform, parts = :parts, run_at = :run_at, zone = :zone, "
                    "draft = :draft, content_hash = :content_hash, updated_at = :now WHERE id = :id "
                    "AND status = 'todo'",
    "requeue_draft": "UPDATE jobs SET status = 'todo', attempts = 0, last_error = NULL, platform = :platform, "
                     "parts = :parts, run_at = :run_at, zone = :zone, draft = :draft, "
                     "content_hash = :content_hash, updated_at = :now WHERE id = :id "
                     "AND status IN ('failed', 'cancelled')",
    "set_status": "UPDATE jobs SET status = :status, updated_at = :now WHERE id = :id AND status = :old",
    "save_campaign": "INSERT INTO campaigns (slug, name, zone, language, base_dir, config_path, accounts, "
                     "anchor, created_at, updated_at) VALUES (:slug, :name, :zone, :language, :base_dir, "
                     ":config_path, :accounts, :anchor, :now, :now) ON CONFLICT (slug) DO UPDATE SET "
                     "name = excluded.name, zone = excluded.zone, language = excluded.language, "
                     "base_dir = excluded.base_dir, config_path = excluded.config_path, "
                     "accounts = excluded.accounts, updated_at = excluded.updated_at RETURNING *",
    "campaign": "SELECT * FROM campaigns WHERE slug = :slug",
    "campaigns": "SELECT * FROM campaigns ORDER BY slug",
    "cancel_campaign": "UPDATE jobs SET status = 'cancelled', updated_at = :now "
                       "WHERE campaign = :campaign AND status = 'todo' RETURNING id, attempts",
    # day two (issue 15): a thread moved or retried whole; the organizer's edits kept (`by_hand`)
    "thread_parts": "SELECT id, part, status, run_at, attempts, uncertain FROM jobs WHERE campaign = :campaign "
                    "AND account = :account AND highlight_id = :highlight_id ORDER BY part, id",
    "thread_retry": "UPDATE jobs SET status = 'todo', attempts = 0, last_error = NULL, run_at = :run_at, "
                    "by_hand = 'time', updated_at = :now WHERE id = :id AND status IN ('failed', 'cancelled') "
                    "RETURNING *",
    "thread_move": "UPDATE jobs SET run_at = :run_at, by_hand = 'time', updated_at = :now "
                   "WHERE id = :id AND status = 'todo' RETURNING *",
    "campaign_parts": "SELECT id, account, highlight_id, part, status, run_at, attempts FROM jobs "
                      "WHERE campaign = :campaign",
    "hand_set": "UPDATE jobs SET by_hand = :by_hand WHERE id = :id",
    "set_run_at": "UPDATE jobs SET run_at = :run_at, updated_at = :now WHERE id = :id",
    "uncertain": "SELECT uncertain FROM jobs WHERE id = :id",
    # scrubbing a secret out of the history (`campaign scrub`): the one rewrite of job_events
    "scrub_errors": "SELECT id, last_error FROM jobs WHERE last_error IS NOT NULL",
    "scrub_error": "UPDATE jobs SET last_error = :text WHERE id = :id",
    "scrub_details": "SELECT id, job_id, detail FROM job_events WHERE detail IS NOT NULL",
    "scrub_detail": "UPDATE job_events SET detail = :text WHERE id = :id",
    "allow_update": "DROP TRIGGER job_events_no_update",
    "forbid_update": NO_UPDATE_TRIGGER,
    # review (issue 16; campaign.queue.sqlite_review)
    "review_policy": "UPDATE campaigns SET review = :review, approvals = :approvals, reviewers = :reviewers "
                     "WHERE slug = :slug RETURNING *",
    "review_thread": "SELECT * FROM jobs WHERE campaign = :campaign AND account = :account "
                     "AND highlight_id = :highlight_id ORDER BY part",
    "review_campaign_todo": "SELECT id, account, highlight_id, review, approvals, reviewed_hash, content_hash, "
                            "context FROM jobs WHERE campaign = :campaign AND status = 'todo' ORDER BY account, "
                            "highlight_id, part",
    "review_set": "UPDATE jobs SET review = :review, approvals = :approvals, reviewed_hash = content_hash, "
                  "approved_text = CASE WHEN :review = 'approved' THEN json_extract(draft, '$.parts[0]') "
                  "ELSE approved_text END, updated_at = :now WHERE id = :id AND status = 'todo' RETURNING *",
    # a post approved after its slot (or --now) moves; a re-queue keeps that time (issue 15's by_hand)
    "review_move": "UPDATE jobs SET run_at = :run_at, by_hand = 'time', updated_at = :now "
                   "WHERE id = :id AND status = 'todo' RETURNING *",
    "review_reset": "UPDATE jobs SET review = 'pending', approvals = '[]', reviewed_hash = NULL, updated_at = :now "
                    "WHERE id = :id AND status = 'todo'",
    "review_context": "UPDATE jobs SET context = :context WHERE id = :id AND context IS NOT :context",
    "review_pending": "SELECT j.* FROM jobs j JOIN campaigns c ON c.slug = j.campaign WHERE c.review = 'required' "
                      "AND j.status = 'todo' AND j.review = :review "
                      "AND (:campaign IS NULL OR j.campaign = :campaign) ORDER BY j.run_at, j.id",
    "override_set": "INSERT INTO post_overrides (campaign, account, highlight_id, parts, by, at) "
                    "VALUES (:campaign, :account, :highlight_id, :parts, :by, :at) "
                    "ON CONFLICT (campaign, account, highlight_id) DO UPDATE SET parts = excluded.parts, "
                    "by = excluded.by, at = excluded.at",
    "override_delete": "DELETE FROM post_overrides WHERE campaign = :campaign AND account = :account "
                       "AND highlight_id = :highlight_id",
    "overrides": "SELECT account, highlight_id, parts FROM post_overrides WHERE campaign = :campaign",
    # metrics snapshots (`campaign report`)
    "metrics_job": "SELECT status FROM jobs WHERE id = :job_id",
    "metrics_insert": "INSERT INTO metrics_snapshots (job_id, at, likes, reposts, replies, quotes, gone, "
                      "simulated) VALUES (:job_id, :at, :likes, :reposts, :replies, :quotes, :gone, :simulated)",
    "metrics_history": "SELECT m.* FROM metrics_snapshots m JOIN jobs j ON j.id = m.job_id "
                       "WHERE j.campaign = :campaign AND (:job_id IS NULL OR m.job_id = :job_id) "
                       "ORDER BY m.at, m.id",
    "metrics_latest": "SELECT m.* FROM metrics_snapshots m JOIN jobs j ON j.id = m.job_id "
                      "WHERE j.campaign = :campaign AND m.id = (SELECT m2.id FROM metrics_snapshots m2 "
                      "WHERE m2.job_id = m.job_id ORDER BY m2.at DESC, m2.id DESC LIMIT 1) ORDER BY m.job_id",
}


# --- time as text --------------------------------------------------------------------------
