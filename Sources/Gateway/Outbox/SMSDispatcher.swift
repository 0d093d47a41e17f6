import Foundation
import Logging
import Metrics
import Postgres
import SMS
import ServiceLifecycle

/// Sends the SMS of the outbox through Twilio: checks the number has not opted out (at send time, so a STOP
/// stops scheduled and admin-pushed messages too), paces each sender (1 message a second by default), sends
/// the parts in order, and records the outcome. 429/20429 waits; transient failures back off up to
/// `maxAttempts`, then the message is dead; permanent failures stop; 21610 opts the number out.
///
/// Each message's segments (billable parts, as `SMSSegmenter` counts them) are recorded on its row as its parts go
/// out, summed over the parts, and counted in `sms_segments_total` by encoding.
package struct SMSDispatcher: Service {
    let outbox: OutboxStore
    let twilio: any TwilioAPI
    let postgres: PostgresConnectionPool
    let pacer: ChannelPacer
    /// The pacing key: the sending number or Messaging Service.
    let sender: String
    let statusCallback: String?
    let metrics: GatewayMetrics
    let logger: Logger
    let maxAttempts: Int
    let sentStatus: String
    let lessons: DailyLessonOutcomes

    package init(
        outbox: OutboxStore, twilio: any TwilioAPI, postgres: PostgresConnectionPool, pacer: ChannelPacer,
        sender: String, statusCallback: String?, metrics: GatewayMetrics, logger: Logger, maxAttempts: Int = 8,
        sentStatus: String = "sent"
    ) {
        self.outbox = outbox
        self.twilio = twilio
        self.postgres = postgres
        self.pacer = pacer
        self.sender = sender
        self.statusCallback = statusCallback
        self.metrics = metrics
        self.logger = logger
        self.maxAttempts = maxAttempts
        self.sentStatus = sentStatus
        self.lessons = DailyLessonOutcomes(metrics: metrics, logger: logger)
    }

    package func run() async throws {
        await pollUntilShutdown("SMS dispatcher", idle: .milliseconds(100), logger: logger) { try await dispatchOnce() }
    }

    /// Claims and sends one batch, one message at a time (they share the sender's pace); returns how many.
    @discardableResult
    package func dispatchOnce() async throws -> Int {
        let batch = try await outbox.claim(channel: "sms", limit: 8, lease: OutboxStore.sendLease)
        for envelope in batch { await handle(envelope) }
        return batch.count
    }

    private func handle(_ envelope: OutboundEnvelope) async {
        do {
            if envelope.isExpired {
                lessons.dead(envelope, code: "day_ended")
                try await outbox.markFinal(envelope.id, status: "dead", errorCode: "day_ended")
                return
            }
            var body = try JSONDecoder().decode(SMSOutboundBody.self, from: Data(envelope.body.utf8))
            let number = try PhoneNumber(validating: envelope.destination)
            let optedOut =
                !(try await postgres.query(
                    "SELECT 1 FROM opt_outs WHERE channel = 'sms' AND address = $1", [number.e164])).isEmpty
            if optedOut {
                try await outbox.markFinal(envelope.id, status: "suppressed", errorCode: "opted_out")
                metrics.counter("outbound_suppressed_total", [("channel", "sms")]).increment()
                return
            }
            var firstSID: String?
            var tally = SegmentTally()
            while let part = body.parts.first {
                // Parts already sent are dropped from the row, so a retry sends only the rest.
                let remaining = body
                let sentSoFar = tally.recorded
                if try await pacer.deferIfBusy(
                    sender, envelope, outbox: outbox, logger: logger,
                    beforeDeferring: {
                        try await outbox.replaceBody(envelope.id, with: try Self.encode(remaining), segments: sentSoFar)
                    })
                {
                    return
                }
                let sent = try await twilio.sendMessage(to: number, body: part, statusCallback: statusCallback)
                firstSID = firstSID ?? sent.sid
                body.parts.removeFirst()
                let count = SMSSegmenter.count(part)
                tally.add(count)
                metrics.counter("sms_segments_total", [("encoding", count.encoding.rawValue)])
                    .increment(by: count.segments)
            }
            let sent = try await outbox.markSent(
                envelope.id, providerMessageID: firstSID, status: sentStatus, segments: tally.recorded)
            lessons.sent(lateBy: sent.lateness, channel: "sms")
            let total = sent.segments
            metrics.counter("outbound_sent_total", [("channel", "sms"), ("kind", envelope.kind)]).increment()
            logger.debug(
                "SMS sent",
                metadata: [
                    "id": "\(envelope.id)", "kind": "\(envelope.kind)",
                    "segments": "\(total?.count ?? 0)", "encoding": "\(total?.encoding ?? "none")",
                ])
        } catch let error as TwilioAPIError {
            await record(error, envelope)
        } catch {
            logger.error("SMS could not be handled", metadata: ["id": "\(envelope.id)", "error": "\(error)"])
            try? await outbox.markFinal(envelope.id, status: "failed", errorCode: "unreadable")
        }
    }

    static func encode(_ body: SMSOutboundBody) throws -> String {
        String(decoding: try JSONEncoder().encode(body), as: UTF8.self)
    }

    /// The segments of the parts sent in one pass over a message.
    struct SegmentTally {
        private var segments = 0
        private var encodings: Set<SMSEncoding> = []

        mutating func add(_ count: SMSSegmenter.Count) {
            segments += count.segments
            encodings.insert(count.encoding)
        }

        /// What to add to the message's row; nil when no part went out in this pass.
        var recorded: OutboundSegments? {
            guard let only = encodings.first else { return nil }
            return OutboundSegments(count: segments, encoding: encodings.count == 1 ? only.rawValue : "mixed")
        }
    }

    private func record(_ error: TwilioAPIError, _ envelope: OutboundEnvelope) async {
        // One draw of the jittered backoff decides both whether to retry and when.
        let backoff = SlackDispatcher.backoff(attempt: envelope.attempts)
        do {
            switch error.kind {
            case .rateLimited(let retryAfter) where envelope.mayRetry(after: retryAfter, maxAttempts: .max):
                metrics.counter("outbound_retried_total", [("channel", "sms"), ("reason", "rate_limited")]).increment()
                lessons.retried(envelope)
                try await outbox.retry(envelope.id, after: retryAfter, error: error.reason)
            case .transient where envelope.mayRetry(after: backoff, maxAttempts: maxAttempts):
                metrics.counter("outbound_retried_total", [("channel", "sms"), ("reason", "transient")]).increment()
                lessons.retried(envelope)
                try await outbox.retry(envelope.id, after: backoff, error: error.reason)
            case .transient, .rateLimited:
                lessons.dead(envelope, code: error.reason)
                metrics.counter("outbound_dead_total", [("channel", "sms")]).increment()
                logger.error(
                    "outbound SMS dead after retries",
                    metadata: ["id": "\(envelope.id)", "attempts": "\(envelope.attempts)", "error": "\(error.reason)"])
                try await outbox.markFinal(envelope.id, status: "dead", errorCode: error.reason)
            case .optedOut:
                try await postgres.query(
                    """
                    INSERT INTO opt_outs (channel, address, keyword, source) VALUES ('sms', $1, NULL, 'carrier')
                    ON CONFLICT (channel, address) DO NOTHING
                    """, [envelope.destination])
                try await outbox.markFinal(envelope.id, status: "suppressed", errorCode: error.reason)
            case .permanent:
                metrics.counter("outbound_failed_total", [("channel", "sms"), ("code", error.reason)]).increment()
                lessons.dead(envelope, code: error.reason)
                try await outbox.markFinal(envelope.id, status: "failed", errorCode: error.reason)
            }
        } catch {
            logger.error("outbox update failed", metadata: ["id": "\(envelope.id)", "error": "\(error)"])
        }
    }
}

/// Dev mode (no Twilio account configured): SMS are logged instead of sent, and succeed. The line carries the
/// masked number and the length, never the text (see `RecordingSlackAPI`).
package struct RecordingTwilioAPI: TwilioAPI {
    let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    package func sendMessage(to: PhoneNumber, body: String, statusCallback: String?) async throws(TwilioAPIError)
        -> TwilioSentMessage
    {
        // `PhoneNumber` prints masked: +*******4567.
        logger.notice("dev mode: SMS not sent", metadata: ["to": "\(to)", "characters": "\(body.count)"])
        return TwilioSentMessage(sid: "SMdev" + UUID().uuidString.prefix(8), status: "queued", numSegments: nil)
    }
}
