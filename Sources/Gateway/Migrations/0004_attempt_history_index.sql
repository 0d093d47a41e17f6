-- Every lesson turn asks when each lesson was last shown to the learner (answered or not). Without an index on
-- the learner, that read every attempt of every learner; this one answers it from the learner's own entries.
CREATE INDEX lesson_attempts_learner ON lesson_attempts (learner_id, lesson_id, presented_at);
