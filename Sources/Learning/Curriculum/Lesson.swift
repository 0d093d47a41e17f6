/// One short lesson with its quiz. `id` is the curriculum key (`apr-easy-1`), stable across releases.
package struct Lesson: Sendable, Hashable, Codable {
    package let id: String
    package let topic: String
    package let difficulty: Difficulty
    package let title: String
    package let content: String
    package let keyPoints: [String]
    package let scenario: String
    package let quiz: Quiz

    package init(
        id: String, topic: String, difficulty: Difficulty, title: String, content: String, keyPoints: [String],
        scenario: String, quiz: Quiz
    ) {
        self.id = id
        self.topic = topic
        self.difficulty = difficulty
        self.title = title
        self.content = content
        self.keyPoints = keyPoints
        self.scenario = scenario
        self.quiz = quiz
    }
}

/// A multiple-choice question with exactly four options.
package struct Quiz: Sendable, Hashable, Codable {
    package let question: String
    package let options: [String]
    package let correctIndex: Int
    package let explanation: String

    package init(question: String, options: [String], correctIndex: Int, explanation: String) {
        self.question = question
        self.options = options
        self.correctIndex = correctIndex
        self.explanation = explanation
    }

    /// The option letter for an index: 0 is `A`.
    package static func letter(_ index: Int) -> String {
        guard (0..<26).contains(index) else { return "?" }
        return String(UnicodeScalar(UInt8(65 + index)))
    }
}
