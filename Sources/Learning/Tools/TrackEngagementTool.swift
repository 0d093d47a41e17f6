import Foundation

/// `track_engagement(learner, interaction, duration)`: records one interaction with its kind and duration and
/// returns the learner's counts.
package struct TrackEngagementTool: LearningTool {
    /// Interaction kinds must be short identifiers: letters, digits, `_`, `-`, `.`.
    package static let maxInteractionLength = 64

    private struct Input: Decodable {
        let learnerID: String
        let interaction: String
        let durationMilliseconds: Int?
        let channel: String?

        enum CodingKeys: String, CodingKey {
            case learnerID = "learner_id"
            case interaction, channel
            case durationMilliseconds = "duration_ms"
        }
    }

    private let store: any EngagementStore
    private let clock: any WallClock

    package init(store: any EngagementStore, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    package let name = "track_engagement"
    package let description = """
        Record one learner interaction (e.g. message, lesson_viewed, quiz_answered) with its duration in \
        milliseconds, and return the learner's interaction counts.
        """
    package var inputSchema: ToolInputSchema {
        ToolInputSchema(
            properties: [
                "learner_id": .string("The learner's UUID."),
                "interaction": .string("The kind of interaction, a short identifier such as quiz_answered."),
                "duration_ms": .integer("How long it took, in milliseconds.", minimum: 0),
                "channel": .string("Where it happened.", oneOf: Channel.allCases.map(\.rawValue)),
            ],
            required: ["learner_id", "interaction"])
    }

    package func run(input: JSONValue) async throws -> JSONValue {
        let input = try decodeInput(Input.self, from: input)
        let summary = try await track(
            learnerID: try learnerID(input.learnerID), interaction: input.interaction,
            durationMilliseconds: input.durationMilliseconds, channel: input.channel)
        return try JSONValue.encoding(summary)
    }

    /// Records the interaction and returns the updated counts. A malformed kind or a negative duration throws
    /// `invalidToolInput` before anything is stored.
    @discardableResult
    package func track(
        learnerID: UUID, interaction: String, durationMilliseconds: Int? = nil, channel: String? = nil
    ) async throws -> EngagementSummary {
        try await record(
            learnerID: learnerID, interaction: interaction, durationMilliseconds: durationMilliseconds,
            channel: channel)
        return try await store.engagementSummary(learnerID: learnerID)
    }

    /// Records the interaction without reading the summary back (the orchestrator's per-turn bookkeeping,
    /// which does not use it).
    package func record(
        learnerID: UUID, interaction: String, durationMilliseconds: Int? = nil, channel: String? = nil
    ) async throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
        guard !interaction.isEmpty, interaction.count <= Self.maxInteractionLength,
            interaction.allSatisfy({ allowed.contains($0) })
        else {
            throw LearningError(
                code: .invalidToolInput,
                message: "\(name): interaction must be 1-\(Self.maxInteractionLength) letters, digits, _ - or .")
        }
        if let durationMilliseconds, durationMilliseconds < 0 || durationMilliseconds > Int(Int32.max) {
            throw LearningError(code: .invalidToolInput, message: "\(name): duration_ms must be a non-negative int32")
        }
        try await store.recordEngagement(
            EngagementEvent(
                learnerID: learnerID, interaction: interaction, channel: channel,
                durationMilliseconds: durationMilliseconds, occurredAt: clock.now))
    }
}
