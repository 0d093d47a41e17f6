import Foundation
import Postgres
import Synchronization

extension PostgresLearningStore: LearningTurnSource {
    /// One query loads the learner's turn state by identity; a learner seen for the first time is created and
    /// starts with nothing to load.
    package func openTurn(channel: Channel, externalID: String) async throws -> any LearningTurn {
        if let turn = try await loadTurn(channel: channel, externalID: externalID) { return turn }
        if let created = try await create(channel: channel, externalID: externalID) {
            return PostgresLearningTurn(newLearner: created, store: self)
        }
        // Another caller created this identity first; load theirs.
        guard let turn = try await loadTurn(channel: channel, externalID: externalID) else {
            throw Self.vanishedIdentity
        }
        return turn
    }

    /// Opens a turn for each of `learnerIDs` (learners known by id, such as the scheduler's), with one query.
    /// Learners that do not exist have no turn.
    package func openTurns(learnerIDs: [UUID]) async throws -> [UUID: PostgresLearningTurn] {
        let rows = try await pool.query(
            PostgresQuery(Self.snapshotByID, [PostgresArray.text(learnerIDs.map(\.uuidString))]))
        var turns: [UUID: PostgresLearningTurn] = [:]
        for row in rows {
            let turn = try PostgresLearningTurn(snapshot: row, store: self)
            turns[turn.learnerID] = turn
        }
        return turns
    }

    private func loadTurn(channel: Channel, externalID: String) async throws -> PostgresLearningTurn? {
        let rows = try await pool.query(PostgresQuery(Self.snapshotByIdentity, [channel.rawValue, externalID]))
        return try rows.first.map { try PostgresLearningTurn(snapshot: $0, store: self) }
    }

    private static let snapshotByIdentity = snapshot(
        of: "learner_identities li", id: "li.learner_id", where: "li.channel = $1 AND li.external_id = $2")
    // Driven by the ids (a batch is a few hundred of many learners), each looked up by its key: joined plainly,
    // the planner may judge a scan of every learner cheaper while the table is small, and keep scanning as it grows.
    private static let snapshotByID = snapshot(
        of: "unnest($1::uuid[]) AS ids(id) "
            + "JOIN LATERAL (SELECT id FROM learners WHERE id = ids.id OFFSET 0) li ON true",
        id: "li.id", where: "true")

    /// The learner, their newest open attempt, profile, path, review items and when each lesson was last shown,
    /// for the learners of `table` (aliased `li`, whose learner id is `id`) that match `condition`. Times inside
    /// the JSON columns are microseconds since 1970, so nothing is lost to formatting.
    private static func snapshot(of table: String, id: String, where condition: String) -> String {
        """
        SELECT \(id) AS learner_id,
               oa.id AS open_id, oa.curriculum_key AS open_lesson, oa.channel AS open_channel,
               oa.presented_at AS open_presented_at,
               p.level, p.topics_covered, p.quiz_average, p.quiz_count, p.weak_areas, p.preferences,
               lp.current_topic, lp.difficulty, lp.upcoming_topics,
               (SELECT coalesce(json_agg(json_build_object(
                           'lesson', coalesce(l.curriculum_key, ''), 'step', r.step,
                           'due', (extract(epoch FROM r.due_at) * 1000000)::bigint) ORDER BY r.due_at), '[]')
                  FROM review_items r JOIN lessons l ON l.id = r.lesson_id
                 WHERE r.learner_id = \(id)) AS reviews,
               (SELECT coalesce(json_agg(json_build_object(
                           'lesson', s.curriculum_key, 'topic', s.topic,
                           'at', (extract(epoch FROM s.last_at) * 1000000)::bigint)), '[]')
                  FROM (SELECT l.curriculum_key, l.topic, max(a.presented_at) AS last_at
                          FROM lesson_attempts a JOIN lessons l ON l.id = a.lesson_id
                         WHERE a.learner_id = \(id) AND l.curriculum_key IS NOT NULL
                         GROUP BY l.curriculum_key, l.topic) s) AS presented
        FROM \(table)
        LEFT JOIN LATERAL (
            SELECT a.id, l.curriculum_key, a.channel, a.presented_at
            FROM lesson_attempts a JOIN lessons l ON l.id = a.lesson_id
            WHERE a.learner_id = \(id) AND a.answered_at IS NULL
            ORDER BY a.presented_at DESC LIMIT 1) oa ON true
        LEFT JOIN LATERAL (SELECT * FROM learner_profiles WHERE learner_id = \(id) OFFSET 0) p ON true
        LEFT JOIN LATERAL (SELECT * FROM learning_paths WHERE learner_id = \(id) OFFSET 0) lp ON true
        WHERE \(condition)
        """
    }
}

/// The Postgres ``LearningTurn``: the learner's state as loaded when the turn opened, kept current with the
/// turn's own writes, and the deferred writes in order. A turn serves its own learner only: a call about another
/// one is a programming error and throws.
package final class PostgresLearningTurn: LearningTurn {
    /// Answers loaded at once for quiz history questions; a learner with fewer has their whole history cached.
    static let historyWindow = 500

    package let learnerID: UUID
    private let store: PostgresLearningStore
    private let state: Mutex<State>

    private struct State {
        /// nil: unknown (query); .some(nil): known to have none.
        var openAttempt: LessonAttempt??
        var profile: LearnerProfile?
        var path: LearningPath?
        var reviews: [ReviewItem]
        /// When each lesson was last shown, with its topic; nil once a lesson of unknown topic was shown.
        var presented: [String: (topic: String, at: Date)]?
        /// Answers newest first, at most `historyWindow`; nil until first needed or after a new answer.
        var history: [QuizRecord]?
        var pending: [PendingWrite] = []
    }

    /// A deferred write. `replaces` coalesces writes that overwrite a whole row (the profile, the path): only the
    /// last one is kept. `unchanged` is thrown when the statement changes no row.
    private struct PendingWrite: Sendable {
        enum Row: Sendable, Equatable {
            case profile
            case path
        }

        private enum Source: Sendable {
            case statement(PostgresQuery)
            /// A row other learners' turns may write alike (its statement is made only when it goes alone).
            case batchable(BatchableWrite)
        }

        private let source: Source
        var replaces: Row? = nil
        var unchanged: LearningError? = nil

        init(query: PostgresQuery, replaces: Row? = nil, unchanged: LearningError? = nil) {
            self.source = .statement(query)
            self.replaces = replaces
            self.unchanged = unchanged
        }

        init(_ batchable: BatchableWrite, unchanged: LearningError? = nil) {
            self.source = .batchable(batchable)
            self.unchanged = unchanged
        }

        /// The statement that makes this write alone.
        var query: PostgresQuery {
            switch source {
            case .statement(let query): query
            case .batchable(let write): PostgresLearningStore.batch([write]).query
            }
        }

        var batchable: BatchableWrite? {
            if case .batchable(let write) = source { return write }
            return nil
        }
    }

    /// A statement of a commit and what it stands for.
    private struct Statement {
        let query: PostgresQuery
        /// Fewer changed rows than this throws `unchanged`.
        var expectedRows = 1
        var unchanged: LearningError?
    }

    init(newLearner learnerID: UUID, store: PostgresLearningStore) {
        self.learnerID = learnerID
        self.store = store
        self.state = Mutex(State(openAttempt: .some(nil), reviews: [], presented: [:], history: []))
    }

    init(snapshot row: PostgresRow, store: PostgresLearningStore) throws {
        let learnerID = try row.decode(UUID.self, "learner_id")
        self.learnerID = learnerID
        self.store = store
        var open: LessonAttempt?
        if let id = try row.decode(UUID?.self, "open_id") {
            open = LessonAttempt(
                id: id, learnerID: learnerID, lessonID: try row.decode(String?.self, "open_lesson") ?? "",
                channel: try row.decode(String.self, "open_channel"),
                presentedAt: try row.decode(Date.self, "open_presented_at"), answeredAt: nil)
        }
        let reviews = try row.decodeJSON([SnapshotReview].self, "reviews").map {
            ReviewItem(learnerID: learnerID, lessonID: $0.lesson, step: $0.step, dueAt: Self.date($0.due))
        }
        var presented: [String: (topic: String, at: Date)] = [:]
        for shown in try row.decodeJSON([SnapshotPresented].self, "presented") {
            presented[shown.lesson] = (shown.topic, Self.date(shown.at))
        }
        self.state = Mutex(
            State(
                openAttempt: .some(open),
                profile: try PostgresLearningStore.profile(from: row, learnerID: learnerID),
                path: try PostgresLearningStore.path(from: row, learnerID: learnerID), reviews: reviews,
                presented: presented, history: nil))
    }

    private struct SnapshotReview: Decodable {
        let lesson: String
        let step: Int
        let due: Int64
    }

    private struct SnapshotPresented: Decodable {
        let lesson: String
        let topic: String
        let at: Int64
    }

    private static func date(_ microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    // MARK: - Commit

    package func commit() async throws {
        _ = try await Self.commit([self], with: [], pool: store.pool)
    }

    /// Commits the deferred writes of every turn, then runs `extra`, all in one transaction sent as one pipeline
    /// (a lone statement goes on its own), and returns the rows of `extra`. When anything fails nothing is
    /// written, and each turn keeps its writes, so that it may commit again.
    package static func commit(
        _ turns: [PostgresLearningTurn], with extra: [PostgresQuery], pool: PostgresConnectionPool
    ) async throws -> [PostgresRows] {
        let taken = turns.map { turn in
            turn.state.withLock { state -> [PendingWrite] in
                defer { state.pending.removeAll() }
                return state.pending
            }
        }
        let writes = statements(for: taken)
        do {
            if writes.isEmpty, extra.isEmpty { return [] }
            if writes.count == 1, extra.isEmpty {
                try check(writes[0], try await pool.query(writes[0].query))
                return []
            }
            return try await pool.transaction(pipelining: writes.map(\.query) + extra) { results in
                for (write, result) in zip(writes, results) { try check(write, result) }
                return Array(results.dropFirst(writes.count))
            }
        } catch {
            for (turn, writes) in zip(turns, taken) { turn.state.withLock { $0.pending = writes + $0.pending } }
            throw error
        }
    }

    /// The statements that make each turn's writes, in each turn's order. The turns are of different learners,
    /// so one turn's writes are independent of another's: the n-th writes of all turns go together, and those
    /// alike (the same kind of row, as every daily lesson writes) go as one statement.
    private static func statements(for writes: [[PendingWrite]]) -> [Statement] {
        let alone = { (write: PendingWrite) in
            Statement(query: write.query, expectedRows: write.unchanged == nil ? 0 : 1, unchanged: write.unchanged)
        }
        guard writes.count > 1 else { return writes.flatMap { $0.map(alone) } }
        var statements: [Statement] = []
        for position in 0..<(writes.map(\.count).max() ?? 0) {
            let nth = writes.compactMap { position < $0.count ? $0[position] : nil }
            statements += nth.filter { $0.batchable == nil }.map(alone)
            for kind in BatchableWrite.Kind.allCases {
                let alike = nth.filter { $0.batchable?.kind == kind }
                let rows = alike.compactMap(\.batchable)
                // A learner's two memory writes in one statement would trim each other's window: alone, then.
                guard alike.count > 1, Set(rows.map(\.learnerID)).count == rows.count else {
                    statements += alike.map(alone)
                    continue
                }
                let (query, expectedRows) = PostgresLearningStore.batch(rows)
                statements.append(
                    Statement(
                        query: query, expectedRows: expectedRows,
                        unchanged: alike[0].unchanged.map { _ in
                            LearningError(
                                code: .unknownLesson,
                                message: "a lesson of the batch is not in the lessons table; "
                                    + "run the curriculum sync at start")
                        }))
            }
        }
        return statements
    }

    private static func check(_ statement: Statement, _ result: PostgresRows) throws {
        if result.affectedRows < statement.expectedRows, let failure = statement.unchanged { throw failure }
    }

    /// Refuses a call about a learner other than the turn's.
    private func own(_ learnerID: UUID) throws {
        guard learnerID == self.learnerID else {
            throw LearningError(
                code: .invalidInput, message: "a learning turn serves its own learner only, not \(learnerID)")
        }
    }

    private func enqueue(_ write: PendingWrite, update: (inout State) -> Void = { _ in }) {
        state.withLock { state in
            if let row = write.replaces { state.pending.removeAll { $0.replaces == row } }
            state.pending.append(write)
            update(&state)
        }
    }

    /// The plain store, after the deferred writes are in, for reads the turn does not hold.
    private func database() async throws -> PostgresLearningStore {
        try await commit()
        return store
    }
}

extension PostgresLearningTurn: LessonAttemptStore {
    package func createAttempt(learnerID: UUID, lessonID: String, channel: String, at date: Date) async throws -> UUID {
        try own(learnerID)
        let id = UUID()
        enqueue(
            PendingWrite(
                .attempt(id: id, learnerID: learnerID, lessonID: lessonID, channel: channel, at: date),
                unchanged: PostgresLearningStore.lessonNotSynced(lessonID))
        ) { state in
            state.openAttempt = .some(
                LessonAttempt(
                    id: id, learnerID: learnerID, lessonID: lessonID, channel: channel, presentedAt: date,
                    answeredAt: nil))
            if let topic = state.presented?[lessonID]?.topic {
                state.presented?[lessonID] = (topic, date)
            } else {
                state.presented = nil
            }
        }
        return id
    }

    package func openAttempt(learnerID: UUID) async throws -> LessonAttempt? {
        try own(learnerID)
        if let known = state.withLock({ $0.openAttempt }) { return known }
        let open = try await database().openAttempt(learnerID: learnerID)
        state.withLock { $0.openAttempt = .some(open) }
        return open
    }

    package func attempt(id: UUID) async throws -> LessonAttempt? {
        if let open = state.withLock({ $0.openAttempt ?? nil }), open.id == id { return open }
        return try await database().attempt(id: id)
    }

    package func lastPresented(learnerID: UUID, topic: String) async throws -> [String: Date] {
        try own(learnerID)
        if let presented = state.withLock({ $0.presented }) {
            return presented.reduce(into: [:]) { result, entry in
                if entry.value.topic == topic { result[entry.key] = entry.value.at }
            }
        }
        return try await database().lastPresented(learnerID: learnerID, topic: topic)
    }

    package func recordAnswer(
        attemptID: UUID, response: String, selectedIndex: Int, correct: Bool, at date: Date
    ) async throws -> Bool {
        let recorded = try await database().recordAnswer(
            attemptID: attemptID, response: response, selectedIndex: selectedIndex, correct: correct, at: date)
        state.withLock { state in
            if let open = state.openAttempt ?? nil, open.id == attemptID { state.openAttempt = nil }
            state.history = nil
        }
        return recorded
    }
}

extension PostgresLearningTurn: QuizHistoryStore {
    package func responses(learnerID: UUID, topic: String?, limit: Int) async throws -> [QuizRecord] {
        try own(learnerID)
        guard limit <= Self.historyWindow else {
            return try await database().responses(learnerID: learnerID, topic: topic, limit: limit)
        }
        let history: [QuizRecord]
        if let cached = state.withLock({ $0.history }) {
            history = cached
        } else {
            history = try await database().responses(learnerID: learnerID, topic: nil, limit: Self.historyWindow)
            state.withLock { $0.history = history }
        }
        // The cache answers any question when it holds the whole history, and the newest answers otherwise.
        if history.count < Self.historyWindow {
            return Array((topic.map { topic in history.filter { $0.topic == topic } } ?? history).prefix(limit))
        }
        if topic == nil { return Array(history.prefix(limit)) }
        return try await database().responses(learnerID: learnerID, topic: topic, limit: limit)
    }
}

extension PostgresLearningTurn: ReviewStore {
    package func reviewItem(learnerID: UUID, lessonID: String) async throws -> ReviewItem? {
        try own(learnerID)
        return state.withLock { $0.reviews.first { $0.lessonID == lessonID } }
    }

    package func saveReviewItem(_ item: ReviewItem) async throws {
        try own(item.learnerID)
        enqueue(
            PendingWrite(
                query: PostgresLearningStore.upsertReview(item),
                unchanged: PostgresLearningStore.lessonNotSynced(item.lessonID))
        ) { state in
            state.reviews.removeAll { $0.lessonID == item.lessonID }
            state.reviews.append(item)
        }
    }

    package func deleteReviewItem(learnerID: UUID, lessonID: String) async throws {
        try own(learnerID)
        enqueue(PendingWrite(query: PostgresLearningStore.deleteReview(learnerID: learnerID, lessonID: lessonID))) {
            state in state.reviews.removeAll { $0.lessonID == lessonID }
        }
    }

    package func dueReviews(learnerID: UUID, asOf date: Date, limit: Int) async throws -> [ReviewItem] {
        Array(try await allReviews(learnerID: learnerID).filter { $0.dueAt <= date }.prefix(limit))
    }

    package func allReviews(learnerID: UUID) async throws -> [ReviewItem] {
        try own(learnerID)
        return state.withLock { $0.reviews }.sorted { $0.dueAt < $1.dueAt }
    }
}

extension PostgresLearningTurn: LearningPathStore {
    package func path(learnerID: UUID) async throws -> LearningPath? {
        try own(learnerID)
        return state.withLock { $0.path }
    }

    package func savePath(_ path: LearningPath, at date: Date) async throws {
        try own(path.learnerID)
        enqueue(PendingWrite(query: try PostgresLearningStore.upsertPath(path, at: date), replaces: .path)) {
            $0.path = path
        }
    }
}

extension PostgresLearningTurn: EngagementStore {
    package func recordEngagement(_ event: EngagementEvent) async throws {
        try own(event.learnerID)
        enqueue(PendingWrite(.engagement(event)))
    }

    package func engagementSummary(learnerID: UUID) async throws -> EngagementSummary {
        try await database().engagementSummary(learnerID: learnerID)
    }
}

extension PostgresLearningTurn: MemoryStore {
    package func appendTurn(learnerID: UUID, role: TurnRole, content: String, at date: Date, keep: Int) async throws {
        try await appendTurns(learnerID: learnerID, turns: [(role, content)], at: date, keep: keep)
    }

    package func appendTurns(
        learnerID: UUID, turns: [(role: TurnRole, content: String)], at date: Date, keep: Int
    ) async throws {
        try own(learnerID)
        guard !turns.isEmpty else { return }
        enqueue(
            PendingWrite(.memory(learnerID: learnerID, turns: turns, at: date, keep: keep)))
    }

    package func recentTurns(learnerID: UUID, limit: Int) async throws -> [MemoryTurn] {
        try await database().recentTurns(learnerID: learnerID, limit: limit)
    }

    package func profile(learnerID: UUID) async throws -> LearnerProfile? {
        try own(learnerID)
        return state.withLock { $0.profile }
    }

    package func saveProfile(_ profile: LearnerProfile, at date: Date) async throws {
        try own(profile.learnerID)
        enqueue(PendingWrite(query: try PostgresLearningStore.upsertProfile(profile, at: date), replaces: .profile)) {
            $0.profile = profile
        }
    }
}
