/// A curriculum pack that cannot be used. The description names the file, the entry (a lesson id, when the
/// problem is inside one) and what is wrong, so the author can fix it without reading code.
package struct CurriculumError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem this is.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        package var description: String { name }

        /// A file is missing or unreadable.
        package static let unreadable = Code("unreadable")
        /// A file is not JSON of the expected shape.
        package static let malformed = Code("malformed")
        /// A lesson or topic breaks a content rule (length, key points, options, answer index).
        package static let invalidContent = Code("invalidContent")
        /// Two lessons share an id.
        package static let duplicateID = Code("duplicateID")
        /// A topic lacks lessons at some difficulty, or its file disagrees with the pack.
        package static let incompleteTopic = Code("incompleteTopic")
    }

    package let code: Code
    /// The file name relative to the pack folder, such as `topics/apr.json`.
    package let file: String
    /// The lesson id (or topic slug) the problem is in, when there is one.
    package let entry: String?
    /// What is wrong and how to fix it.
    package let reason: String

    package init(code: Code, file: String, entry: String? = nil, reason: String) {
        self.code = code
        self.file = file
        self.entry = entry
        self.reason = reason
    }

    package var description: String {
        var text = "curriculum \(code): \(file)"
        if let entry { text += ", entry \(entry)" }
        return text + ": \(reason)"
    }
}
