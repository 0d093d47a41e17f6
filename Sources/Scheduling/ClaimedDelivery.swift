import Foundation

/// A delivery this scheduler holds the lease on: send its lesson, then hand it to the outbox before the lease ends.
package struct ClaimedDelivery: Sendable, Equatable {
    package let id: UUID
    package let learnerID: UUID
    /// Claims so far, this one included.
    package let attempts: Int
    /// Where the lesson goes: the learner's Slack identity if they have one, else their phone.
    package let target: DeliveryTarget?
}

/// The address a lesson goes to.
package struct DeliveryTarget: Sendable, Equatable {
    package enum Channel: String, Sendable {
        case slack
        case sms
    }

    package let channel: Channel
    /// Slack user id or E.164 number.
    package let externalID: String
    /// The Slack DM channel, once known.
    package let directChannelID: String?
    /// The address opted out (SMS STOP and friends).
    package let optedOut: Bool
}

/// What a claim pass found.
package struct DeliveryClaims: Sendable {
    package var claimed: [ClaimedDelivery] = []
    /// Deliveries given up without sending, with why: `day_ended`, `learner_paused`, `learner_unenrolled`.
    package var skipped: [(id: UUID, reason: String)] = []
    /// Deliveries that failed to be built too often.
    package var dead: [UUID] = []
}
