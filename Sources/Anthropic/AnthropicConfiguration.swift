import Foundation

/// How to reach Anthropic's Messages API. `description` leaves the key out.
package struct AnthropicConfiguration: Sendable, CustomStringConvertible {
    /// The `anthropic-version` header this client speaks.
    package static let apiVersion = "2023-06-01"
    package static let defaultModel = "claude-haiku-4-5"
    package static let defaultBaseURL = "https://api.anthropic.com"

    /// `ANTHROPIC_API_KEY`; sent only in the `x-api-key` header.
    package var apiKey: String
    /// `ANTHROPIC_MODEL`.
    package var model: String
    /// `ANTHROPIC_BASE_URL`, without `/v1`.
    package var baseURL: String

    package init(apiKey: String, model: String = defaultModel, baseURL: String = defaultBaseURL) {
        self.apiKey = apiKey
        self.model = model
        self.baseURL = baseURL
    }

    /// The configuration for an optional key: nil (no LLM) when the key is missing or blank.
    package static func ifConfigured(apiKey: String?, model: String?, baseURL: String?) -> AnthropicConfiguration? {
        guard let apiKey = apiKey?.trimmingCharacters(in: .whitespaces), !apiKey.isEmpty else { return nil }
        return AnthropicConfiguration(
            apiKey: apiKey, model: model.flatMap { $0.isEmpty ? nil : $0 } ?? defaultModel,
            baseURL: baseURL.flatMap { $0.isEmpty ? nil : $0 } ?? defaultBaseURL)
    }

    /// `{baseURL}/v1/messages`.
    package var messagesURL: String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/v1/messages"
    }

    package var description: String {
        "AnthropicConfiguration(model: \(model), baseURL: \(baseURL), apiKey: <redacted>)"
    }
}
