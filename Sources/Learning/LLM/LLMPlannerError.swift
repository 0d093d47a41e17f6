/// Why the LLM planner gave up on a turn. The agent then answers with the deterministic planner.
/// `description` never carries learner text or credentials.
package struct LLMPlannerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        package var description: String { name }

        /// The model still wanted tools after the last allowed round.
        package static let tooManyToolRounds = Code("tooManyToolRounds")
        /// The model ended its turn with neither text nor a lesson.
        package static let emptyReply = Code("emptyReply")
        /// The turn took longer than the agent allows.
        package static let timedOut = Code("timedOut")
    }

    package let code: Code
    package let message: String

    package init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "LLM planner \(code): \(message)" }
}
