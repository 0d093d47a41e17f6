-- Learning Gateway: the first schema. Postgres is the record of everything that matters; Redis only times
-- and caches, and can be rebuilt from these tables.

-- Learners and how to reach them ---------------------------------------------------------------------------

CREATE TABLE learners (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    display_name    text,
    time_zone       text NOT NULL DEFAULT 'UTC',
    delivery_time   time NOT NULL DEFAULT '09:00',
    status          text NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'paused', 'unenrolled')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- One row per way a learner is known: a Slack user, a phone number, or an agent-API caller's own id.
CREATE TABLE learner_identities (
    id              bigserial PRIMARY KEY,
    learner_id      uuid NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    channel         text NOT NULL CHECK (channel IN ('slack', 'sms', 'api')),
    external_id     text NOT NULL,          -- Slack user id, E.164 number, or API learner_id
    team_id         text,                   -- Slack workspace
    dm_channel_id   text,                   -- Slack DM channel, once opened
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, external_id)
);
CREATE INDEX learner_identities_learner ON learner_identities (learner_id);

-- A row exists while an address is opted out (SMS STOP and friends); opting back in deletes it.
CREATE TABLE opt_outs (
    channel         text NOT NULL CHECK (channel IN ('slack', 'sms')),
    address         text NOT NULL,
    keyword         text,
    source          text NOT NULL DEFAULT 'keyword',   -- keyword | carrier (Twilio 21610) | admin
    opted_out_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, address)
);

-- Curriculum and learning -----------------------------------------------------------------------------------

CREATE TABLE lessons (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    curriculum_key  text UNIQUE,            -- e.g. apr/easy/1 for pack lessons; NULL for generated ones
    topic           text NOT NULL,
    difficulty      text NOT NULL CHECK (difficulty IN ('easy', 'medium', 'hard')),
    title           text NOT NULL,
    content         text NOT NULL,
    key_points      jsonb NOT NULL,
    scenario        text NOT NULL,
    quiz_question   text NOT NULL,
    quiz_options    jsonb NOT NULL,
    correct_index   integer NOT NULL CHECK (correct_index BETWEEN 0 AND 3),
    explanation     text NOT NULL,
    source          text NOT NULL DEFAULT 'curriculum' CHECK (source IN ('curriculum', 'llm')),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lessons_topic_difficulty ON lessons (topic, difficulty);

CREATE TABLE learning_paths (
    learner_id      uuid PRIMARY KEY REFERENCES learners (id) ON DELETE CASCADE,
    current_topic   text NOT NULL,
    difficulty      text NOT NULL CHECK (difficulty IN ('easy', 'medium', 'hard')),
    upcoming_topics jsonb NOT NULL DEFAULT '[]',
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Lessons shown to a learner, and the quiz left open for an answer.
CREATE TABLE lesson_attempts (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    learner_id      uuid NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    lesson_id       uuid NOT NULL REFERENCES lessons (id),
    channel         text NOT NULL,
    presented_at    timestamptz NOT NULL DEFAULT now(),
    answered_at     timestamptz
);
CREATE INDEX lesson_attempts_open ON lesson_attempts (learner_id, presented_at DESC) WHERE answered_at IS NULL;

CREATE TABLE quiz_responses (
    id              bigserial PRIMARY KEY,
    attempt_id      uuid NOT NULL UNIQUE REFERENCES lesson_attempts (id) ON DELETE CASCADE,  -- graded once
    learner_id      uuid NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    lesson_id       uuid NOT NULL REFERENCES lessons (id),
    topic           text NOT NULL,
    difficulty      text NOT NULL,
    response        text NOT NULL,
    selected_index  integer,
    correct         boolean NOT NULL,
    answered_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quiz_responses_learner_topic ON quiz_responses (learner_id, topic, answered_at DESC);

-- Missed questions come back on a spaced schedule.
CREATE TABLE review_items (
    learner_id      uuid NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    lesson_id       uuid NOT NULL REFERENCES lessons (id),
    step            integer NOT NULL DEFAULT 0,
    due_at          timestamptz NOT NULL,
    PRIMARY KEY (learner_id, lesson_id)
);
CREATE INDEX review_items_due ON review_items (learner_id, due_at);

CREATE TABLE engagement_events (
    id              bigserial PRIMARY KEY,
    learner_id      uuid NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    interaction     text NOT NULL,
    channel         text,
    duration_ms     integer CHECK (duration_ms IS NULL OR duration_ms >= 0),
    occurred_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX engagement_events_learner ON engagement_events (learner_id, occurred_at DESC);

-- Per-learner memory: a short-term window of turns and a long-term profile.
CREATE TABLE memory_turns (
    id              bigserial PRIMARY KEY,
    learner_id      uuid NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    role            text NOT NULL CHECK (role IN ('learner', 'agent')),
    content         text NOT NULL,           -- PII already redacted
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX memory_turns_learner ON memory_turns (learner_id, id DESC);

CREATE TABLE learner_profiles (
    learner_id      uuid PRIMARY KEY REFERENCES learners (id) ON DELETE CASCADE,
    level           text NOT NULL DEFAULT 'beginner' CHECK (level IN ('beginner', 'intermediate', 'advanced')),
    topics_covered  jsonb NOT NULL DEFAULT '[]',
    quiz_average    double precision NOT NULL DEFAULT 0,
    quiz_count      integer NOT NULL DEFAULT 0,
    weak_areas      jsonb NOT NULL DEFAULT '[]',
    preferences     jsonb NOT NULL DEFAULT '{}',
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Messages in and out ----------------------------------------------------------------------------------------

-- Every verified webhook, stored before it is acknowledged. (source, external_id) deduplicates retries:
-- Slack event_id, a key built from a command or action payload, Twilio MessageSid.
CREATE TABLE inbound_events (
    id              bigserial PRIMARY KEY,
    source          text NOT NULL
                    CHECK (source IN ('slack_event', 'slack_command', 'slack_interaction',
                                      'twilio_sms', 'twilio_status', 'api')),
    external_id     text NOT NULL,
    payload         bytea NOT NULL,           -- the raw verified body
    content_type    text,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'processing', 'done', 'ignored', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    last_error      text,
    received_at     timestamptz NOT NULL DEFAULT now(),
    processed_at    timestamptz,
    UNIQUE (source, external_id)
);
CREATE INDEX inbound_events_work ON inbound_events (received_at) WHERE status IN ('pending', 'processing');

-- Every message we send and what became of it. dedupe_key makes "at most once per inbound message" a
-- constraint rather than a hope (e.g. reply:<inbound id>:<n>, lesson:<delivery id>).
CREATE TABLE outbound_messages (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dedupe_key          text NOT NULL UNIQUE,
    inbound_event_id    bigint REFERENCES inbound_events (id),
    learner_id          uuid REFERENCES learners (id) ON DELETE SET NULL,
    channel             text NOT NULL CHECK (channel IN ('slack', 'sms')),
    destination         text NOT NULL,        -- Slack channel id, response_url key, or E.164 number
    kind                text NOT NULL,        -- reply | lesson | ephemeral | update | home | broadcast
    body                jsonb NOT NULL,
    status              text NOT NULL DEFAULT 'queued'
                        CHECK (status IN ('queued', 'sending', 'sent', 'queued_at_provider', 'delivered',
                                          'undelivered', 'failed', 'dead', 'suppressed', 'recorded')),
    provider_message_id text,
    provider_status     text,
    error_code          text,
    last_error          text,
    attempts            integer NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    sent_at             timestamptz
);
CREATE INDEX outbound_messages_work ON outbound_messages (next_attempt_at) WHERE status IN ('queued', 'sending');
CREATE UNIQUE INDEX outbound_messages_provider_id
    ON outbound_messages (channel, provider_message_id) WHERE provider_message_id IS NOT NULL;

-- Daily lessons: one per learner per local date, claimed with a lease.
CREATE TABLE lesson_deliveries (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    learner_id          uuid NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    local_date          date NOT NULL,
    due_at              timestamptz NOT NULL,
    day_ends_at         timestamptz NOT NULL,  -- end of the learner's local day: past it, skip
    status              text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'claimed', 'sent', 'skipped', 'dead')),
    lease_until         timestamptz,
    attempts            integer NOT NULL DEFAULT 0,
    lesson_id           uuid REFERENCES lessons (id),
    outbound_message_id uuid REFERENCES outbound_messages (id),
    reason              text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    sent_at             timestamptz,
    UNIQUE (learner_id, local_date)
);
CREATE INDEX lesson_deliveries_due ON lesson_deliveries (due_at) WHERE status IN ('pending', 'claimed');

-- Administration ---------------------------------------------------------------------------------------------

CREATE TABLE admins (
    slack_user_id   text PRIMARY KEY,
    added_by        text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
    id              bigserial PRIMARY KEY,
    actor           text NOT NULL,           -- Slack user id of the admin, or 'system'
    action          text NOT NULL,
    target          text,
    details         jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_created ON audit_log (created_at DESC);
