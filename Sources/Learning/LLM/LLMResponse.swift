/// Why the model stopped writing.
package enum LLMStopReason: Sendable, Hashable {
    /// A natural end of its turn.
    case endTurn
    /// It wants tools run.
    case toolUse
    /// It hit the token limit.
    case maxTokens
    case stopSequence
    /// A reason this module does not know, as the provider named it.
    case other(String)
}

/// The model's next message.
package struct LLMResponse: Sendable, Hashable {
    package var content: [LLMContentBlock]
    package var stopReason: LLMStopReason

    package init(content: [LLMContentBlock], stopReason: LLMStopReason) {
        self.content = content
        self.stopReason = stopReason
    }

    /// The text blocks joined by blank lines.
    package var text: String {
        content.compactMap { block in
            if case .text(let text) = block { return text }
            return nil
        }.joined(separator: "\n\n")
    }

    /// The tools the model asked to run, in order.
    package var toolUses: [LLMToolUse] {
        content.compactMap { block in
            if case .toolUse(let use) = block { return use }
            return nil
        }
    }
}
