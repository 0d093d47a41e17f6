/// A chat model with tool use, independent of the provider: the Learning module plans with it, a provider module
/// (Anthropic's Messages API) implements it.
package protocol LanguageModel: Sendable {
    /// Sends one conversation and returns the model's next message.
    ///
    /// - Parameters:
    ///   - system: Instructions that frame the whole conversation.
    ///   - messages: The conversation so far, starting with a user message and alternating roles; tool results
    ///     answer the tool uses of the assistant message before them.
    ///   - tools: The tools the model may ask to use.
    ///   - maxTokens: The most tokens the model may generate.
    ///   - timeout: The longest the call may take, network included.
    /// - Throws: The provider's error for transport failures, error statuses and bodies it cannot read.
    func respond(
        system: String, messages: [LLMMessage], tools: [LLMToolDefinition], maxTokens: Int, timeout: Duration
    ) async throws -> LLMResponse
}
