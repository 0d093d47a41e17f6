import Foundation
import Learning
import Logging
import Postgres
import SMS

/// Turns stored Twilio webhooks into actions: keywords (STOP and the rest of the opt-out list take effect at
/// once and for good until START), commands, quiz answers and free text for the agent; replies are queued as
/// SMS in the outbox. Status callbacks update the outbound message they describe, never moving a final state
/// back to an earlier one.
package struct SMSInboxHandler: InboxHandler {
    let agent: any AgentTurnHandler
    let store: PostgresLearningStore
    let outbox: OutboxStore
    let postgres: PostgresConnectionPool
    let logger: Logger

    package init(
        agent: any AgentTurnHandler, store: PostgresLearningStore, outbox: OutboxStore,
        postgres: PostgresConnectionPool, logger: Logger
    ) {
        self.agent = agent
        self.store = store
        self.outbox = outbox
        self.postgres = postgres
        self.logger = logger
    }

    package var sources: [InboundSource] { [.twilioSMS, .twilioStatus] }

    static let helpText =
        "Learning Gateway: a short business credit card lesson each day. Reply NEXT for a lesson, A-D to answer, "
        + "PROGRESS, TIME 7:30, TZ America/Chicago. Reply STOP to opt out. Msg and data rates may apply."

    package func handle(id: Int64, source: InboundSource, payload: [UInt8], contentType: String?) async throws
        -> InboxOutcome
    {
        // A form or a JSON object, as it was verified when it arrived.
        let parameters = try TwilioWebhookFormat(contentType: contentType).parameters(of: payload)
        let fields = Dictionary(parameters, uniquingKeysWith: { first, _ in first })
        switch source {
        case .twilioSMS: return try await message(id, fields)
        case .twilioStatus: return try await status(fields)
        default: return .ignored
        }
    }

    // MARK: - Inbound messages

    private func message(_ id: Int64, _ fields: [String: String]) async throws -> InboxOutcome {
        guard let from = fields["From"], let number = try? PhoneNumber(validating: from) else { return .ignored }
        let command = SMSCommandParser.parse(fields["Body"] ?? "")
        let optedOut = try await isOptedOut(number)
        switch command {
        case .optOut(let keyword):
            try await postgres.query(
                """
                INSERT INTO opt_outs (channel, address, keyword, source) VALUES ('sms', $1, $2, 'keyword')
                ON CONFLICT (channel, address) DO NOTHING
                """, [number.e164, keyword.rawValue])
            // Nothing is sent back: Twilio (or the carrier) confirms an opt-out itself.
            return .done
        case .optIn:
            try await postgres.query("DELETE FROM opt_outs WHERE channel = 'sms' AND address = $1", [number.e164])
            try await setStatus(number, "active")
            try await reply(id, to: number, text: "You're subscribed again. Reply NEXT for a lesson, HELP for help.")
            return .done
        case .help:
            // HELP is answered even for an opted-out number, as carriers require.
            try await reply(id, to: number, text: Self.helpText)
            return .done
        default:
            break
        }
        // An opted-out number gets nothing at all until it opts back in.
        if optedOut { return .ignored }
        switch command {
        case .join:
            try await setStatus(number, "active")
            try await reply(id, to: number, agent: try await turn(number, action: .nextLesson))
        case .answer(let index):
            try await reply(id, to: number, agent: try await turn(number, text: Quiz.letter(index)))
        case .next:
            try await reply(id, to: number, agent: try await turn(number, action: .nextLesson))
        case .progress:
            try await reply(id, to: number, agent: try await turn(number, action: .progress))
        case .setDeliveryTime(let hour, let minute):
            let learner = try await store.resolve(channel: .sms, externalID: number.e164)
            try await postgres.query(
                """
                UPDATE learners SET delivery_time = make_time($2::integer, $3::integer, 0), updated_at = now()
                WHERE id = $1
                """, [learner, hour, minute])
            try await reply(
                id, to: number, text: String(format: "Your daily lesson will arrive at %02d:%02d.", hour, minute))
        case .setTimeZone(let identifier):
            let learner = try await store.resolve(channel: .sms, externalID: number.e164)
            try await postgres.query(
                "UPDATE learners SET time_zone = $2, updated_at = now() WHERE id = $1", [learner, identifier])
            try await reply(id, to: number, text: "Time zone set to \(identifier).")
        case .invalid(let reason):
            try await reply(id, to: number, text: reason)
        case .message(let text):
            try await reply(id, to: number, agent: try await turn(number, text: text))
        case .optOut, .optIn, .help:
            break
        }
        return .done
    }

    private func turn(_ number: PhoneNumber, text: String? = nil, action: AgentAction? = nil) async throws
        -> AgentReply
    {
        try await agent.handle(AgentInput(learnerID: number.e164, channel: .sms, text: text, action: action))
    }

    /// The agent's reply as SMS parts: a lesson with its numbered options, or the text; GSM-7 where possible
    /// and never more than 1,600 characters a part.
    static func parts(of reply: AgentReply) -> [String] {
        var parts: [String] = []
        if reply.lesson == nil || reply.verdict != nil {
            parts += SMSSplitter.split(SMSTextNormalizer.preferringGSM7(reply.text))
        }
        if let card = reply.lesson {
            let lesson = SMSLesson(
                title: card.title, content: card.content, keyPoints: card.keyPoints, scenario: card.scenario,
                question: card.question, options: card.options)
            parts += SMSLessonRenderer().render(lesson)
        }
        return parts.filter { !$0.isEmpty }
    }

    private func reply(_ id: Int64, to number: PhoneNumber, agent reply: AgentReply) async throws {
        try await enqueue(id, to: number, parts: Self.parts(of: reply), kind: reply.lesson == nil ? "reply" : "lesson")
    }

    private func reply(_ id: Int64, to number: PhoneNumber, text: String) async throws {
        try await enqueue(
            id, to: number, parts: SMSSplitter.split(SMSTextNormalizer.preferringGSM7(text)), kind: "reply")
    }

    private func enqueue(_ id: Int64, to number: PhoneNumber, parts: [String], kind: String) async throws {
        guard !parts.isEmpty else { return }
        let body = String(decoding: try JSONEncoder().encode(SMSOutboundBody(parts: parts)), as: UTF8.self)
        try await outbox.enqueue(
            dedupeKey: "sms:\(id)", channel: "sms", destination: number.e164, kind: kind, body: body,
            inboundEventID: id)
    }

    private func isOptedOut(_ number: PhoneNumber) async throws -> Bool {
        !(try await postgres.query(
            "SELECT 1 FROM opt_outs WHERE channel = 'sms' AND address = $1", [number.e164])).isEmpty
    }

    private func setStatus(_ number: PhoneNumber, _ status: String) async throws {
        let learner = try await store.resolve(channel: .sms, externalID: number.e164)
        try await postgres.query(
            "UPDATE learners SET status = $2, updated_at = now() WHERE id = $1", [learner, status])
    }

    // MARK: - Status callbacks

    /// How far along a message is; a callback may only move it forward (callbacks arrive out of order).
    static func rank(_ status: String) -> Int {
        switch status {
        case "accepted", "scheduled", "queued": 1
        case "sending": 2
        case "sent": 3
        case "delivered", "undelivered", "failed", "canceled", "read": 4
        default: 0
        }
    }

    private func status(_ fields: [String: String]) async throws -> InboxOutcome {
        guard let sid = fields["MessageSid"] ?? fields["SmsSid"],
            let state = fields["MessageStatus"] ?? fields["SmsStatus"]
        else { return .ignored }
        let errorCode = fields["ErrorCode"].flatMap { $0.isEmpty ? nil : $0 }
        let ours: String? =
            switch state {
            case "sending", "sent": "sent"
            case "delivered": "delivered"
            case "undelivered": "undelivered"
            case "failed": "failed"
            default: nil
            }
        let rows = try await postgres.query(
            """
            UPDATE outbound_messages
            SET provider_status = $2, status = COALESCE($3, status), error_code = COALESCE($4, error_code),
                updated_at = now()
            WHERE channel = 'sms' AND provider_message_id = $1
              AND (CASE provider_status
                     WHEN 'accepted' THEN 1 WHEN 'scheduled' THEN 1 WHEN 'queued' THEN 1 WHEN 'sending' THEN 2
                     WHEN 'sent' THEN 3 WHEN 'delivered' THEN 4 WHEN 'undelivered' THEN 4 WHEN 'failed' THEN 4
                     WHEN 'canceled' THEN 4 WHEN 'read' THEN 4 ELSE 0 END) < $5
            RETURNING destination
            """, [sid, state, ours, errorCode, Self.rank(state)])
        // 21610: the carrier says the recipient opted out (replied STOP to the number, for instance).
        // Only a real number is written: `To` is whatever the signed callback carried.
        if errorCode == "21610", let to = fields["To"].flatMap({ try? PhoneNumber(validating: $0) }) {
            try await postgres.query(
                """
                INSERT INTO opt_outs (channel, address, keyword, source) VALUES ('sms', $1, NULL, 'carrier')
                ON CONFLICT (channel, address) DO NOTHING
                """, [to.e164])
        }
        if let code = errorCode, let number = Int(code), (30003...30008).contains(number) {
            logger.warning("SMS delivery failed at the carrier", metadata: ["sid": "\(sid)", "error_code": "\(code)"])
        }
        return rows.isEmpty && errorCode != "21610" ? .ignored : .done
    }
}

/// What an SMS outbox row asks Twilio to send: the parts, in order.
package struct SMSOutboundBody: Codable, Sendable, Equatable {
    package var parts: [String]

    package init(parts: [String]) {
        self.parts = parts
    }
}
