import HTTPClient

/// A Messages API call that did not produce a usable message. `description` names the kind, the HTTP status and
/// Anthropic's error type; it never carries the API key, request or response bodies, or learner text.
package struct AnthropicError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        package var description: String { name }

        /// 429: too many requests; `retryAfter` says when to try again.
        package static let rateLimited = Code("rateLimited")
        /// 529: Anthropic is overloaded.
        package static let overloaded = Code("overloaded")
        /// Any other 5xx.
        package static let serverError = Code("serverError")
        /// A 4xx other than 429 (bad request, authentication, permission, not found, too large): retrying the same
        /// request will not help.
        package static let requestRejected = Code("requestRejected")
        /// A 2xx whose body is not a Messages API message.
        package static let malformedResponse = Code("malformedResponse")
        /// The request timed out.
        package static let timeout = Code("timeout")
        /// No response: connection, TLS or another transport failure.
        package static let transport = Code("transport")
        /// The request could not be built.
        package static let invalidRequest = Code("invalidRequest")
    }

    package let code: Code
    /// The HTTP status, when a response came back.
    package let status: Int?
    /// Anthropic's `error.type` (`overloaded_error`, `invalid_request_error`…), when the body had one.
    package let errorType: String?
    /// The wait a 429 or 529 asked for.
    package let retryAfter: Duration?
    /// What went wrong, in words that never include bodies or credentials.
    package let message: String

    package init(
        code: Code, status: Int? = nil, errorType: String? = nil, retryAfter: Duration? = nil, message: String
    ) {
        self.code = code
        self.status = status
        self.errorType = errorType
        self.retryAfter = retryAfter
        self.message = message
    }

    /// Whether the same request may succeed later (rate limits, overload, server errors, timeouts, transport).
    package var isRetryable: Bool {
        [.rateLimited, .overloaded, .serverError, .timeout, .transport].contains(code)
    }

    package var description: String {
        var parts = ["Anthropic \(code)"]
        if let status { parts.append("HTTP \(status)") }
        if let errorType { parts.append(errorType) }
        if let retryAfter { parts.append("retry after \(retryAfter)") }
        return parts.joined(separator: ", ") + ": \(message)"
    }
}
