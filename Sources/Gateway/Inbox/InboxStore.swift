/// Where a verified webhook comes from; the `inbound_events.source` column.
package enum InboundSource: String, Sendable, CaseIterable {
    case slackEvent = "slack_event"
    case slackCommand = "slack_command"
    case slackInteraction = "slack_interaction"
    case twilioSMS = "twilio_sms"
    case twilioStatus = "twilio_status"
    case api
}

/// A verified webhook, as received.
package struct InboundMessage: Sendable, Equatable {
    package let source: InboundSource
    /// The provider's id for it (Slack `event_id`, Twilio `MessageSid`) or a key built from the payload.
    package let externalID: String
    /// The raw verified body.
    package let payload: [UInt8]
    package let contentType: String?

    package init(source: InboundSource, externalID: String, payload: [UInt8], contentType: String?) {
        self.source = source
        self.externalID = externalID
        self.payload = payload
        self.contentType = contentType
    }
}

/// What storing a message did.
package enum InboxReceipt: Sendable, Equatable {
    /// Stored now, under this id: a worker will process it.
    case stored(id: Int64)
    /// Stored before (a provider retry or replay): acknowledge, do nothing more.
    case duplicate(id: Int64)

    package var id: Int64 {
        switch self {
        case .stored(let id), .duplicate(let id): id
        }
    }
}

/// The durable inbox: a webhook is acknowledged only after `store` returns.
package protocol InboxStore: Sendable {
    /// Stores `message` durably, once per (source, external id). Throws when it could not be stored; the
    /// caller then answers 503 so the provider retries.
    func store(_ message: InboundMessage) async throws -> InboxReceipt
}

/// The inbox could not store a message.
package struct InboxError: Error, CustomStringConvertible, Sendable {
    package enum Reason: Sendable { case unavailable, storeFailed }
    package let reason: Reason
    package let message: String
    package var description: String { "inbox \(reason): \(message)" }
}
