/// Why a Twilio call failed, sorted by what the caller should do about it.
///
/// `description` carries the HTTP status, Twilio's error code and a short reason, never the auth token, the message
/// body or Twilio's own `message` (which can quote the recipient's number).
package struct TwilioAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// HTTP 429 or Twilio error 20429: wait `retryAfter`, then try again.
        case rateLimited(retryAfter: Duration)
        /// 5xx or a network failure: retry with backoff.
        case transient
        /// Retrying cannot help (21211 invalid `To`, 21408, 21614, bad credentials...): record and stop.
        case permanent
        /// Error 21610: the recipient replied STOP. Mark the number opted out and send nothing more.
        case optedOut
    }

    package let kind: Kind
    /// Twilio's error code (`21211`), nil when Twilio gave none (a network failure, a bare 5xx).
    package let code: Int?
    /// The HTTP status, nil when no response arrived.
    package let status: Int?
    /// A short machine-readable reason: `twilio_21211`, `http_503`, `transport_timeout`, `missing_sid`.
    package let reason: String
    /// Twilio's `more_info` link for `code`.
    package let moreInfo: String?
    /// Twilio's `message`. It may quote the recipient's number, so it stays out of `description`.
    package let twilioMessage: String?

    package init(
        kind: Kind, code: Int? = nil, status: Int? = nil, reason: String, moreInfo: String? = nil,
        twilioMessage: String? = nil
    ) {
        self.kind = kind
        self.code = code
        self.status = status
        self.reason = reason
        self.moreInfo = moreInfo
        self.twilioMessage = twilioMessage
    }

    package var description: String {
        var parts = [self.reason]
        if let status { parts.append("HTTP \(status)") }
        if let moreInfo { parts.append(moreInfo) }
        return "Twilio Messages failed: \(parts.joined(separator: ", ")) (\(self.kind))"
    }

    /// Twilio's "Too Many Requests".
    package static let rateLimitedCode = 20429
    /// "Attempt to send to unsubscribed recipient": the number replied STOP to this sender.
    package static let unsubscribedRecipientCode = 21610
}
