-- Sent messages are recorded many to a statement. What became of a daily lesson's message still becomes what
-- became of the lesson, but once per statement over all its rows (transition tables) rather than once per row.
DROP TRIGGER lesson_delivery_follow_outbox ON outbound_messages;
DROP FUNCTION lesson_delivery_follow_outbox();

CREATE FUNCTION lesson_deliveries_follow_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lesson_deliveries d
    SET status = CASE WHEN n.status IN ('sent', 'queued_at_provider', 'delivered', 'recorded') THEN 'sent'
                      WHEN n.status IN ('dead', 'failed') THEN 'dead'
                      ELSE 'skipped' END,
        sent_at = CASE WHEN n.status IN ('sent', 'queued_at_provider', 'delivered', 'recorded')
                       THEN COALESCE(n.sent_at, now()) ELSE d.sent_at END,
        reason = CASE WHEN n.status IN ('sent', 'queued_at_provider', 'delivered', 'recorded')
                      THEN d.reason ELSE n.error_code END,
        updated_at = now()
    FROM new_messages n
    WHERE n.kind = 'daily_lesson'
      AND n.status IN ('sent', 'queued_at_provider', 'delivered', 'recorded', 'dead', 'failed', 'suppressed')
      AND d.outbound_message_id = n.id AND d.status = 'queued';
    RETURN NULL;
END
$$;

-- Transition tables rule out `UPDATE OF status`, so the trigger runs after every update of the outbox; only a
-- delivery still `queued` whose message has reached an outcome changes, so a message updated again (a provider's
-- later status) leaves its lesson as it was.
CREATE TRIGGER lesson_deliveries_follow_outbox
    AFTER UPDATE ON outbound_messages
    REFERENCING NEW TABLE AS new_messages
    FOR EACH STATEMENT
    EXECUTE FUNCTION lesson_deliveries_follow_outbox();

-- A provider id identifies a message only for SMS (Twilio's SID, which status callbacks look up). Slack's `ts`
-- is unique within a Slack channel only: two DMs posted in the same microsecond may share one, and the old
-- index then refused to record the second as sent (so it would have gone out again).
DROP INDEX outbound_messages_provider_id;
CREATE UNIQUE INDEX outbound_messages_sms_provider_id
    ON outbound_messages (provider_message_id) WHERE channel = 'sms' AND provider_message_id IS NOT NULL;
