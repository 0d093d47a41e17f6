/// Who wrote a message of an LLM conversation.
package enum LLMRole: String, Sendable, Hashable, Codable {
    case user
    case assistant
}

/// A tool the model asked to run, with the id its result must quote.
package struct LLMToolUse: Sendable, Hashable {
    package var id: String
    package var name: String
    /// The tool's input as the model wrote it; a JSON object when the model follows the schema.
    package var input: JSONValue

    package init(id: String, name: String, input: JSONValue) {
        self.id = id
        self.name = name
        self.input = input
    }
}

/// One block of a message: text, a tool use (assistant) or a tool's result (user).
package enum LLMContentBlock: Sendable, Hashable {
    case text(String)
    case toolUse(LLMToolUse)
    /// The result of the tool use `toolUseID`: JSON text, or an error message when `isError`.
    case toolResult(toolUseID: String, content: String, isError: Bool)
}

/// One message of an LLM conversation.
package struct LLMMessage: Sendable, Hashable {
    package var role: LLMRole
    package var content: [LLMContentBlock]

    package init(role: LLMRole, content: [LLMContentBlock]) {
        self.role = role
        self.content = content
    }

    /// A user message of plain text.
    package static func user(_ text: String) -> LLMMessage {
        LLMMessage(role: .user, content: [.text(text)])
    }

    /// An assistant message of plain text.
    package static func assistant(_ text: String) -> LLMMessage {
        LLMMessage(role: .assistant, content: [.text(text)])
    }
}
