/// An error from the learning module. `description` names what failed and what to do, never learner text.
package struct LearningError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        package var description: String { name }

        /// A topic slug the curriculum does not have.
        package static let unknownTopic = Code("unknownTopic")
        /// A lesson id the curriculum (or the database) does not have.
        package static let unknownLesson = Code("unknownLesson")
        /// A lesson attempt that does not exist or belongs to someone else.
        package static let unknownAttempt = Code("unknownAttempt")
        /// A tool was called with input that does not match its schema.
        package static let invalidToolInput = Code("invalidToolInput")
        /// No tool has this name.
        package static let unknownTool = Code("unknownTool")
        /// An agent input the orchestrator cannot act on (no learner id, an id that is too long).
        package static let invalidInput = Code("invalidInput")
        /// The database returned something the module cannot use.
        package static let storage = Code("storage")
    }

    package let code: Code
    package let message: String

    package init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "learning \(code): \(message)" }
}
