import Foundation

/// `assess_knowledge(learner, topic)`: mastery and level from the learner's quiz history on one topic.
package struct AssessKnowledgeTool: LearningTool {
    /// The result: mastery (recent answers weigh more), level and counts.
    package struct Assessment: Sendable, Equatable, Codable {
        package let topic: String
        package let mastery: Double
        package let level: KnowledgeLevel
        package let answered: Int
        package let correct: Int
        /// Whether the last answer on the topic was correct; nil when there is none.
        package let lastAnswerCorrect: Bool?
    }

    private struct Input: Decodable {
        let learnerID: String
        let topic: String

        enum CodingKeys: String, CodingKey {
            case learnerID = "learner_id"
            case topic
        }
    }

    private let history: any QuizHistoryStore
    private let curriculum: CurriculumPack
    private let calculator: MasteryCalculator

    package init(history: any QuizHistoryStore, curriculum: CurriculumPack, calculator: MasteryCalculator = .init()) {
        self.history = history
        self.curriculum = curriculum
        self.calculator = calculator
    }

    package let name = "assess_knowledge"
    package let description = """
        Measure how well a learner knows a topic from their quiz history: mastery 0-1 (recent answers weigh \
        more), level (beginner below 0.5, advanced above 0.8, otherwise intermediate) and answer counts.
        """
    package var inputSchema: ToolInputSchema {
        ToolInputSchema(
            properties: [
                "learner_id": .string("The learner's UUID."),
                "topic": .string("The topic slug.", oneOf: curriculum.topics.map(\.slug)),
            ],
            required: ["learner_id", "topic"])
    }

    package func run(input: JSONValue) async throws -> JSONValue {
        let input = try decodeInput(Input.self, from: input)
        return try JSONValue.encoding(try await assess(learnerID: try learnerID(input.learnerID), topic: input.topic))
    }

    /// Assesses one topic. Throws `unknownTopic` for a slug the curriculum lacks.
    package func assess(learnerID: UUID, topic: String) async throws -> Assessment {
        guard curriculum.topic(topic) != nil else {
            throw LearningError(
                code: .unknownTopic,
                message: "\(name): the topic is not in the curriculum; use a slug from the input schema")
        }
        let records = try await history.responses(learnerID: learnerID, topic: topic, limit: 200)
        return assessment(topic: topic, newestFirst: records)
    }

    /// The assessment of answers already loaded, newest first.
    package func assessment(topic: String, newestFirst records: [QuizRecord]) -> Assessment {
        let mastery = calculator.mastery(newestFirst: records.map(\.correct))
        return Assessment(
            topic: topic, mastery: mastery, level: KnowledgeLevel(mastery: mastery), answered: records.count,
            correct: records.filter(\.correct).count, lastAnswerCorrect: records.first?.correct)
    }
}
