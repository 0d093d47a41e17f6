import Foundation
import Learning
import Logging
import Metrics
import Postgres
import ServiceLifecycle
import Slack

/// What an outbox row asks Slack to do.
package struct SlackOutboundBody: Codable, Sendable, Equatable {
    package enum Operation: String, Codable, Sendable {
        /// `chat.postMessage` to `channel`; a `userID` with no channel opens the DM first.
        case post
        /// `chat.update` of `ts` in `channel`.
        case update
        /// A POST to `responseURL`.
        case respond
        /// `views.publish` of `view` as `userID`'s Home tab.
        case home
    }

    package var operation: Operation
    package var channel: String?
    package var userID: String?
    package var ts: String?
    package var responseURL: String?
    package var text: String
    package var blocks: [JSONValue]?
    package var ephemeral: Bool?
    package var replaceOriginal: Bool?
    package var view: JSONValue?
    /// Post in this thread (mentions are answered in their thread).
    package var threadTS: String?

    package init(
        operation: Operation, channel: String? = nil, userID: String? = nil, ts: String? = nil,
        responseURL: String? = nil, text: String, blocks: [JSONValue]? = nil, ephemeral: Bool? = nil,
        replaceOriginal: Bool? = nil, view: JSONValue? = nil
    ) {
        self.operation = operation
        self.channel = channel
        self.userID = userID
        self.ts = ts
        self.responseURL = responseURL
        self.text = text
        self.blocks = blocks
        self.ephemeral = ephemeral
        self.replaceOriginal = replaceOriginal
        self.view = view
    }

    /// The body as stored in the outbox: JSON with sorted keys, absent fields left out (as `Codable` would write
    /// it, without its cost for the Block Kit inside).
    package func encoded() throws -> String {
        var members: [String: JSONValue] = ["operation": .string(operation.rawValue), "text": .string(text)]
        let strings: [(String, String?)] = [
            ("channel", channel), ("userID", userID), ("ts", ts), ("responseURL", responseURL), ("threadTS", threadTS),
        ]
        for (key, value) in strings { if let value { members[key] = .string(value) } }
        if let blocks { members["blocks"] = .array(blocks) }
        if let ephemeral { members["ephemeral"] = .bool(ephemeral) }
        if let replaceOriginal { members["replaceOriginal"] = .bool(replaceOriginal) }
        if let view { members["view"] = view }
        return String(decoding: JSONValue.object(members).serialized(sortedKeys: true), as: UTF8.self)
    }
}

/// Sends the Slack messages of the outbox: claims due rows, paces them per channel, calls Slack, and records
/// the outcome. 429 waits `Retry-After`; transient failures back off exponentially up to `maxAttempts`, then
/// the message is dead (metric `outbound_dead_total` and an error log to alert on); permanent failures stop
/// at once.
package struct SlackDispatcher: Service {
    let outbox: OutboxStore
    let slack: any SlackAPI
    let pacer: ChannelPacer
    let metrics: GatewayMetrics
    let logger: Logger
    let maxAttempts: Int
    let batchSize: Int
    let idlePoll: Duration
    /// Recorded instead of sent (dev mode, no bot token): the status rows end in.
    let sentStatus: String
    let lessons: DailyLessonOutcomes
    /// Records sent messages: those that finish while a record is being written are written together next.
    private let sentMessages: GroupCommit<SentNotice, SentMessage>

    package init(
        outbox: OutboxStore, slack: any SlackAPI, pacer: ChannelPacer, metrics: GatewayMetrics, logger: Logger,
        maxAttempts: Int = 8, batchSize: Int = 32, idlePoll: Duration = .milliseconds(100), sentStatus: String = "sent"
    ) {
        self.outbox = outbox
        self.slack = slack
        self.pacer = pacer
        self.metrics = metrics
        self.logger = logger
        self.maxAttempts = maxAttempts
        self.batchSize = batchSize
        self.idlePoll = idlePoll
        self.sentStatus = sentStatus
        self.lessons = DailyLessonOutcomes(metrics: metrics, logger: logger)
        // One row the statement refuses must not fail its neighbours; a lost connection fails them all at once.
        self.sentMessages = GroupCommit(
            maxBatch: 256, writeAloneAfter: { ($0 as? PostgresError)?.isConnectionProblem == false }
        ) { sent in
            try await outbox.markSent(sent, status: sentStatus)
        }
    }

    package func run() async throws {
        await pollUntilShutdown("Slack dispatcher", idle: idlePoll, logger: logger) { try await dispatchOnce() }
    }

    /// Claims and handles one batch; returns how many messages it handled.
    @discardableResult
    package func dispatchOnce() async throws -> Int {
        let batch = try await outbox.claim(channel: "slack", limit: batchSize, lease: OutboxStore.sendLease)
        await withTaskGroup(of: Void.self) { group in
            for envelope in batch {
                group.addTask { await handle(envelope) }
            }
        }
        return batch.count
    }

    /// Sends one claimed message and records the outcome (sent, retried, dead or failed). `body` is the
    /// envelope's body already decoded, when the caller has it.
    package func send(claimed envelope: OutboundEnvelope, body: SlackOutboundBody? = nil) async {
        await handle(envelope, body: body)
    }

    private func handle(_ envelope: OutboundEnvelope, body decoded: SlackOutboundBody? = nil) async {
        do {
            if envelope.isExpired {
                lessons.dead(envelope, code: "day_ended")
                try await outbox.markFinal(envelope.id, status: "dead", errorCode: "day_ended")
                return
            }
            let body = try decoded ?? JSONDecoder().decode(SlackOutboundBody.self, from: Data(envelope.body.utf8))
            // Slack's one-message-a-second limit is per channel for posts and updates; response_url and
            // views.publish are not channel messages.
            let paced = body.operation == .post || body.operation == .update
            if paced, try await pacer.deferIfBusy(envelope.destination, envelope, outbox: outbox, logger: logger) {
                return
            }
            let providerID = try await send(body)
            let sent = try await sentMessages.submit(SentNotice(id: envelope.id, providerMessageID: providerID))
            lessons.sent(lateBy: sent.lateness, channel: "slack")
            metrics.counter("outbound_sent_total", [("channel", "slack"), ("kind", envelope.kind)]).increment()
        } catch let error as SlackAPIError {
            await record(error, for: envelope)
        } catch is DecodingError {
            logger.error("outbound Slack message has an unreadable body", metadata: ["id": "\(envelope.id)"])
            try? await outbox.markFinal(envelope.id, status: "failed", errorCode: "unreadable_body")
        } catch {
            // The store failed: the claim's lease expires and the message is taken again.
            logger.error("outbox update failed", metadata: ["id": "\(envelope.id)", "error": "\(error)"])
        }
    }

    private func send(_ body: SlackOutboundBody) async throws(SlackAPIError) -> String? {
        let message = SlackMessage(text: body.text, blocks: body.blocks, threadTS: body.threadTS)
        switch body.operation {
        case .post:
            var channel = body.channel
            if channel == nil, let userID = body.userID {
                channel = try await slack.openDirectMessage(userID: userID)
            }
            guard let channel else {
                throw SlackAPIError(kind: .permanent, code: "no_channel", method: "chat.postMessage")
            }
            return try await slack.postMessage(channel: channel, message: message)
        case .update:
            guard let channel = body.channel, let ts = body.ts else {
                throw SlackAPIError(kind: .permanent, code: "no_message_to_update", method: "chat.update")
            }
            try await slack.updateMessage(channel: channel, ts: ts, message: message)
            return ts
        case .respond:
            guard let url = body.responseURL else {
                throw SlackAPIError(kind: .permanent, code: "no_response_url", method: "response_url")
            }
            try await slack.respond(
                to: url, message: message, ephemeral: body.ephemeral ?? true,
                replaceOriginal: body.replaceOriginal ?? false)
            return nil
        case .home:
            guard let userID = body.userID, let view = body.view else {
                throw SlackAPIError(kind: .permanent, code: "no_view", method: "views.publish")
            }
            try await slack.publishHome(userID: userID, view: view)
            return nil
        }
    }

    private func record(_ error: SlackAPIError, for envelope: OutboundEnvelope) async {
        // One draw of the jittered backoff decides both whether to retry and when.
        let backoff = Self.backoff(attempt: envelope.attempts)
        do {
            switch error.kind {
            case .rateLimited(let retryAfter) where envelope.mayRetry(after: retryAfter, maxAttempts: .max):
                metrics.counter("outbound_retried_total", [("channel", "slack"), ("reason", "rate_limited")])
                    .increment()
                lessons.retried(envelope)
                try await outbox.retry(envelope.id, after: retryAfter, error: error.code)
            case .transient where envelope.mayRetry(after: backoff, maxAttempts: maxAttempts):
                metrics.counter("outbound_retried_total", [("channel", "slack"), ("reason", "transient")]).increment()
                lessons.retried(envelope)
                try await outbox.retry(envelope.id, after: backoff, error: error.code)
            case .transient, .rateLimited:
                metrics.counter("outbound_dead_total", [("channel", "slack")]).increment()
                logger.error(
                    "outbound Slack message dead after retries",
                    metadata: ["id": "\(envelope.id)", "attempts": "\(envelope.attempts)", "error": "\(error.code)"])
                lessons.dead(envelope, code: error.code)
                try await outbox.markFinal(envelope.id, status: "dead", errorCode: error.code)
            case .permanent:
                metrics.counter("outbound_failed_total", [("channel", "slack"), ("code", error.code)]).increment()
                logger.warning(
                    "Slack refused a message for good", metadata: ["id": "\(envelope.id)", "error": "\(error.code)"])
                lessons.dead(envelope, code: error.code)
                try await outbox.markFinal(envelope.id, status: "failed", errorCode: error.code)
            }
        } catch {
            logger.error("outbox update failed", metadata: ["id": "\(envelope.id)", "error": "\(error)"])
        }
    }

    /// 1 s, 2 s, 4 s … capped at 5 minutes, with up to 20% jitter so retries from many replicas spread out.
    static func backoff(attempt: Int) -> Duration {
        let base = min(300.0, pow(2.0, Double(max(0, attempt - 1))))
        return .milliseconds(Int64(base * 1000 * Double.random(in: 0.8...1.0)))
    }
}
