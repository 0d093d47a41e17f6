import Foundation

/// Per-learner memory: a short-term window of the last turns (older ones pruned on write) and a long-term
/// profile (level, topics covered, running quiz average, weak areas, preferences). Text is redacted before it
/// is stored.
package struct LearnerMemory: Sendable {
    /// Turns kept per learner.
    package static let windowSize = 10
    /// Answers on a topic needed before it can count as a weak area.
    package static let weakAreaMinimumAnswers = 2

    private let store: any MemoryStore
    private let history: any QuizHistoryStore
    private let redactor: PIIRedactor
    private let clock: any WallClock
    private let calculator: MasteryCalculator

    package init(
        store: any MemoryStore, history: any QuizHistoryStore, redactor: PIIRedactor, clock: any WallClock,
        calculator: MasteryCalculator = .init()
    ) {
        self.store = store
        self.history = history
        self.redactor = redactor
        self.clock = clock
        self.calculator = calculator
    }

    /// Stores one turn, redacted, keeping only the last `windowSize` turns of the learner.
    package func remember(learnerID: UUID, role: TurnRole, text: String) async throws {
        let content = String(redactor.redact(text).prefix(4_000))
        try await store.appendTurn(
            learnerID: learnerID, role: role, content: content, at: clock.now, keep: Self.windowSize)
    }

    /// Stores a whole exchange (the learner's words, then the agent's), redacted, in one write.
    package func remember(learnerID: UUID, turns: [(role: TurnRole, text: String)]) async throws {
        let redacted = turns.filter { !$0.text.isEmpty }.map {
            (role: $0.role, content: String(redactor.redact($0.text).prefix(4_000)))
        }
        try await store.appendTurns(learnerID: learnerID, turns: redacted, at: clock.now, keep: Self.windowSize)
    }

    /// The learner's remembered turns, oldest first.
    package func recentTurns(learnerID: UUID) async throws -> [MemoryTurn] {
        try await store.recentTurns(learnerID: learnerID, limit: Self.windowSize)
    }

    /// The learner's profile; a fresh beginner profile when none is stored yet.
    package func profile(learnerID: UUID) async throws -> LearnerProfile {
        try await store.profile(learnerID: learnerID) ?? LearnerProfile(learnerID: learnerID)
    }

    /// Notes that the learner has started `topic`.
    package func recordTopicStarted(learnerID: UUID, topic: String) async throws {
        var profile = try await profile(learnerID: learnerID)
        guard !profile.topicsCovered.contains(topic) else { return }
        profile.topicsCovered.append(topic)
        try await store.saveProfile(profile, at: clock.now)
    }

    /// Sets one preference (such as `industry`), redacted.
    package func setPreference(learnerID: UUID, key: String, value: String) async throws {
        var profile = try await profile(learnerID: learnerID)
        profile.preferences[key] = redactor.redact(value)
        try await store.saveProfile(profile, at: clock.now)
    }

    /// Updates the profile after a graded answer (already stored in the quiz history): the running average and
    /// count, the topics covered, the level (recency-weighted mastery over all answers) and the weak areas
    /// (topics with mastery below 0.5 after at least two answers).
    @discardableResult
    package func recordGradedAnswer(learnerID: UUID, topic: String, correct: Bool) async throws -> LearnerProfile {
        var profile = try await profile(learnerID: learnerID)
        let count = Double(profile.quizCount)
        profile.quizAverage = (profile.quizAverage * count + (correct ? 1 : 0)) / (count + 1)
        profile.quizCount += 1
        if !profile.topicsCovered.contains(topic) { profile.topicsCovered.append(topic) }

        let records = try await history.responses(learnerID: learnerID, topic: nil, limit: 500)
        profile.level = KnowledgeLevel(mastery: calculator.mastery(newestFirst: records.map(\.correct)))
        var byTopic: [String: [Bool]] = [:]
        for record in records { byTopic[record.topic, default: []].append(record.correct) }
        profile.weakAreas = profile.topicsCovered.filter { covered in
            guard let answers = byTopic[covered], answers.count >= Self.weakAreaMinimumAnswers else { return false }
            return calculator.mastery(newestFirst: answers) < 0.5
        }
        try await store.saveProfile(profile, at: clock.now)
        return profile
    }
}
