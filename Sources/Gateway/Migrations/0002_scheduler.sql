-- The daily-lesson scheduler: local wall time to an instant, hand-off to the outbox, and outcomes flowing back.

-- The instant `local_date` at `local_time` happens in `zone`. A wall time the zone skips (spring forward)
-- moves forward by the gap: 02:30 on a 02:00→03:00 night is 03:30. A wall time that happens twice (fall back)
-- is the first occurrence. (Postgres alone picks the second for repeated times, hence the candidates.)
CREATE FUNCTION lesson_due_at(local_date date, local_time time, zone text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE(
        (SELECT min(chosen.t - shift)
         FROM unnest(ARRAY[interval '2 hours', interval '1 hour', interval '30 minutes']) AS shift
         WHERE ((chosen.t - shift) AT TIME ZONE zone) = local_date + local_time),
        chosen.t)
    FROM (SELECT (local_date + local_time) AT TIME ZONE zone AS t) AS chosen
$$;

-- The instant the learner's local day `local_date` ends (the next local midnight).
CREATE FUNCTION lesson_day_ends_at(local_date date, zone text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ((local_date + 1)::timestamp) AT TIME ZONE zone
$$;

-- pending → claimed (a scheduler holds the lease) → queued (the lesson is in the outbox) → sent | dead;
-- skipped when the learner's day ended first, or the learner paused, left or opted out.
ALTER TABLE lesson_deliveries DROP CONSTRAINT lesson_deliveries_status_check;
ALTER TABLE lesson_deliveries ADD CONSTRAINT lesson_deliveries_status_check
    CHECK (status IN ('pending', 'claimed', 'queued', 'sent', 'skipped', 'dead'));
-- Set by an admin push: the delivery went out before its planned time.
ALTER TABLE lesson_deliveries ADD COLUMN pushed_by text;
CREATE UNIQUE INDEX lesson_deliveries_outbound ON lesson_deliveries (outbound_message_id)
    WHERE outbound_message_id IS NOT NULL;
DROP INDEX lesson_deliveries_due;
CREATE INDEX lesson_deliveries_due ON lesson_deliveries (due_at) WHERE status = 'pending';
CREATE INDEX lesson_deliveries_lease ON lesson_deliveries (lease_until) WHERE status = 'claimed';
CREATE INDEX lesson_deliveries_learner_open ON lesson_deliveries (learner_id) WHERE status = 'pending';

-- A message that must go out before this instant or not at all (a daily lesson: the end of the learner's day).
ALTER TABLE outbound_messages ADD COLUMN expires_at timestamptz;

-- What became of a daily lesson's message is what became of the lesson.
CREATE FUNCTION lesson_delivery_follow_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN ('sent', 'queued_at_provider', 'delivered', 'recorded') THEN
        UPDATE lesson_deliveries SET status = 'sent', sent_at = COALESCE(NEW.sent_at, now()), updated_at = now()
        WHERE outbound_message_id = NEW.id AND status = 'queued';
    ELSIF NEW.status IN ('dead', 'failed') THEN
        UPDATE lesson_deliveries SET status = 'dead', reason = NEW.error_code, updated_at = now()
        WHERE outbound_message_id = NEW.id AND status = 'queued';
    ELSIF NEW.status = 'suppressed' THEN
        UPDATE lesson_deliveries SET status = 'skipped', reason = NEW.error_code, updated_at = now()
        WHERE outbound_message_id = NEW.id AND status = 'queued';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER lesson_delivery_follow_outbox
    AFTER UPDATE OF status ON outbound_messages
    FOR EACH ROW
    WHEN (NEW.kind = 'daily_lesson' AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION lesson_delivery_follow_outbox();

-- A new time zone or delivery time moves the learner's pending lessons, whoever changed it (Slack's profile,
-- `/learn time`, the SMS `TIME` and `TZ` commands). The reconciler hands the new times to Redis.
CREATE FUNCTION lesson_deliveries_follow_learner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lesson_deliveries
    SET due_at = lesson_due_at(local_date, NEW.delivery_time, NEW.time_zone),
        day_ends_at = lesson_day_ends_at(local_date, NEW.time_zone),
        updated_at = now()
    WHERE learner_id = NEW.id AND status = 'pending' AND pushed_by IS NULL;
    RETURN NULL;
END
$$;

CREATE TRIGGER lesson_deliveries_follow_learner
    AFTER UPDATE OF time_zone, delivery_time ON learners
    FOR EACH ROW
    WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone OR OLD.delivery_time IS DISTINCT FROM NEW.delivery_time)
    EXECUTE FUNCTION lesson_deliveries_follow_learner();
