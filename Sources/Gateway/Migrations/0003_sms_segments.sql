-- Segments (billable SMS parts) of each outbound SMS and the alphabet they went in, counted by the SMS dispatcher
-- as the parts are sent and summed over them: gsm7, ucs2, or mixed when some parts needed each. NULL for Slack
-- messages and for SMS not sent (yet).
ALTER TABLE outbound_messages
    ADD COLUMN segments integer CHECK (segments >= 0),
    ADD COLUMN encoding text CHECK (encoding IN ('gsm7', 'ucs2', 'mixed'));
