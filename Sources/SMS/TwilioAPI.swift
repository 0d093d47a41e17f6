/// Twilio's Messages API, as the gateway uses it. Implemented over libcurl by `TwilioMessagesClient`; tests point
/// that client at a local stand-in through `TWILIO_API_BASE_URL`.
package protocol TwilioAPI: Sendable {
    /// Creates an outbound message (`POST /2010-04-01/Accounts/{AccountSid}/Messages.json`) from the configured
    /// number or Messaging Service.
    ///
    /// - Parameters:
    ///   - to: the recipient.
    ///   - body: the text, at most 1,600 characters (split longer lessons first).
    ///   - statusCallback: the URL Twilio posts delivery statuses to, or nil for none.
    /// - Returns: the message as Twilio accepted it (usually `queued` or `accepted`).
    func sendMessage(to: PhoneNumber, body: String, statusCallback: String?) async throws(TwilioAPIError)
        -> TwilioSentMessage
}

/// A message Twilio accepted for sending.
package struct TwilioSentMessage: Sendable, Equatable {
    /// The message SID (`SM…`), which status callbacks name as `MessageSid`.
    package let sid: String
    /// Twilio's status at creation: `queued`, `accepted`, `scheduled`, ...
    package let status: String
    /// How many segments Twilio will bill, when it says so.
    package let numSegments: Int?

    package init(sid: String, status: String, numSegments: Int?) {
        self.sid = sid
        self.status = status
        self.numSegments = numSegments
    }
}
