import Foundation
import Learning
import Logging
import Postgres
import Slack

/// Turns stored Slack webhooks into agent turns and queued replies: DMs and mentions go to the agent,
/// `/learn` subcommands become agent actions or settings, quiz buttons are graded and their message updated.
/// Each reply's outbox key is derived from the inbound event id, so a retried event never replies twice.
package struct SlackInboxHandler: InboxHandler {
    let agent: any AgentTurnHandler
    let curriculum: CurriculumPack
    let store: PostgresLearningStore
    let outbox: OutboxStore
    let postgres: PostgresConnectionPool
    let adminUserIDs: Set<String>
    /// Reads profiles (`users.info`) for a learner's name and time zone.
    let slack: any SlackAPI
    let dailyLessons: DailyLessons
    let logger: Logger

    package init(
        agent: any AgentTurnHandler, curriculum: CurriculumPack, store: PostgresLearningStore, outbox: OutboxStore,
        postgres: PostgresConnectionPool, adminUserIDs: Set<String>, slack: any SlackAPI,
        dailyLessons: DailyLessons, logger: Logger
    ) {
        self.slack = slack
        self.dailyLessons = dailyLessons
        self.agent = agent
        self.curriculum = curriculum
        self.store = store
        self.outbox = outbox
        self.postgres = postgres
        self.adminUserIDs = adminUserIDs
        self.logger = logger
    }

    private var adminCommands: SlackAdminCommands {
        SlackAdminCommands(
            agent: agent, curriculum: curriculum, store: store, outbox: outbox, postgres: postgres,
            bootstrapAdmins: adminUserIDs, dailyLessons: dailyLessons, logger: logger)
    }

    package var sources: [InboundSource] { [.slackEvent, .slackCommand, .slackInteraction] }

    package func handle(id: Int64, source: InboundSource, payload: [UInt8], contentType: String?) async throws
        -> InboxOutcome
    {
        switch source {
        case .slackEvent: try await event(id, payload)
        case .slackCommand: try await command(id, payload)
        case .slackInteraction: try await interaction(id, payload)
        default: .ignored
        }
    }

    // MARK: - Events

    private func event(_ id: Int64, _ payload: [UInt8]) async throws -> InboxOutcome {
        let envelope = try JSONDecoder().decode(SlackEventEnvelope.self, from: Data(payload))
        guard let event = envelope.event, let user = event.user else { return .ignored }
        switch event.type {
        case "message":
            // Only a person's plain message in a DM: not our own or another bot's, not edits, joins or deletes.
            guard event.channelType == "im", event.botID == nil, event.subtype == nil, let channel = event.channel,
                let text = event.text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            else { return .ignored }
            let reply = try await agent.handle(AgentInput(learnerID: user, channel: .slack, text: text))
            try await post(reply, inbound: id, channel: channel, threadTS: nil)
            await fillProfileIfNew(user)
            return .done
        case "app_mention":
            guard let channel = event.channel, event.botID == nil else { return .ignored }
            let text = Self.removingMentions(event.text ?? "")
            let reply = try await agent.handle(
                AgentInput(learnerID: user, channel: .slack, text: text.isEmpty ? "help" : text))
            try await post(reply, inbound: id, channel: channel, threadTS: event.threadTS ?? event.ts)
            return .done
        case "app_home_opened":
            guard event.tab == nil || event.tab == "home" else { return .ignored }
            let reply = try await agent.handle(AgentInput(learnerID: user, channel: .slack, action: .progress))
            let view: JSONValue = [
                "type": "home",
                "blocks": .array(
                    [
                        ["type": "header", "text": ["type": "plain_text", "text": .string(curriculum.title)]]
                    ] + (SlackReplyRenderer.message(for: reply).blocks ?? [])),
            ]
            let body = try SlackOutboundBody(operation: .home, userID: user, text: reply.text, view: view).encoded()
            try await outbox.enqueue(
                dedupeKey: "home:\(id)", channel: "slack", destination: user, kind: "home", body: body,
                inboundEventID: id)
            return .done
        default:
            return .ignored
        }
    }

    // MARK: - Slash commands

    private func command(_ id: Int64, _ payload: [UInt8]) async throws -> InboxOutcome {
        let command = try SlackSlashCommand(form: try SlackFormDecoder.fields(payload))
        let words = command.text.split(whereSeparator: \.isWhitespace).map(String.init)
        let subcommand = words.first?.lowercased() ?? "help"
        let argument = words.dropFirst().joined(separator: " ")
        switch command.command {
        case "/learn":
            try await learn(id, command, subcommand: subcommand, argument: argument)
        case "/learn-admin":
            try await adminCommands.run(id, command)
        default:
            try await respond(id, command, text: "I don't know the command \(command.command).")
        }
        return .done
    }

    private func learn(_ id: Int64, _ command: SlackSlashCommand, subcommand: String, argument: String) async throws {
        let learner = command.userID
        func act(_ action: AgentAction) async throws -> AgentReply {
            try await agent.handle(AgentInput(learnerID: learner, channel: .slack, action: action))
        }
        switch subcommand {
        case "start":
            let learnerID = try await store.resolve(channel: .slack, externalID: learner)
            try await setStatus(learnerID, "active")
            try await deliver(
                try await act(.nextLesson), id, command, note: "You're enrolled. Your first lesson is in your DMs.")
        case "stop":
            let learnerID = try await store.resolve(channel: .slack, externalID: learner)
            try await setStatus(learnerID, "paused")
            try await respond(
                id, command, text: "Daily lessons are paused. `/learn start` picks up where you left off.")
        case "time":
            guard let (hour, minute) = Self.parseTime(argument) else {
                try await respond(id, command, text: "Give a time as HH:MM, for example `/learn time 07:30`.")
                return
            }
            let learnerID = try await store.resolve(channel: .slack, externalID: learner)
            try await postgres.query(
                """
                UPDATE learners SET delivery_time = make_time($2::integer, $3::integer, 0), updated_at = now()
                WHERE id = $1
                """,
                [learnerID, hour, minute])
            try await respond(
                id, command, text: String(format: "Your daily lesson will arrive at %02d:%02d your time.", hour, minute)
            )
        case "topic":
            guard let topic = Self.matchTopic(argument, in: curriculum) else {
                let names = curriculum.topics.map { "`\($0.slug)`" }.joined(separator: ", ")
                try await respond(id, command, text: "Pick one of these topics: \(names).")
                return
            }
            try await deliver(try await act(.startTopic(topic)), id, command, note: "Your lesson is in your DMs.")
        case "progress":
            try await respond(id, command, reply: try await act(.progress))
        case "quiz", "next":
            try await deliver(try await act(.nextLesson), id, command, note: "Your lesson is in your DMs.")
        case "help":
            try await respond(id, command, reply: try await act(.help))
        default:
            try await respond(
                id, command,
                text: "I don't know `\(SlackReplyRenderer.escape(subcommand))`. Try `/learn start`, `stop`, "
                    + "`time HH:MM`, `topic NAME`, `progress`, `quiz`, `next` or `help`.")
        }
    }

    // MARK: - Interactions

    private func interaction(_ id: Int64, _ payload: [UInt8]) async throws -> InboxOutcome {
        let interaction = try SlackInteraction.decode(formBody: payload)
        guard interaction.type == "block_actions", let action = interaction.actions.first else { return .ignored }
        let user = interaction.user.id
        if action.actionID.hasPrefix(SlackReplyRenderer.ActionID.answerPrefix) {
            guard let value = action.value, let (attemptID, index) = Self.parseAnswer(value) else { return .ignored }
            let reply = try await agent.handle(
                AgentInput(learnerID: user, channel: .slack, action: .answer(attemptID: attemptID, optionIndex: index)))
            let channel = interaction.channel?.id
            let ts = interaction.container?.messageTS ?? interaction.message?.ts
            if let verdict = reply.verdict, let channel, let ts, let card = try await card(for: attemptID) {
                let message = SlackReplyRenderer.answeredLesson(card, verdict: verdict)
                let body = try SlackOutboundBody(
                    operation: .update, channel: channel, ts: ts, text: message.text, blocks: message.blocks
                ).encoded()
                try await outbox.enqueue(
                    dedupeKey: "update:\(id)", channel: "slack", destination: channel, kind: "update", body: body,
                    inboundEventID: id)
            } else if let channel {
                try await post(reply, inbound: id, channel: channel, threadTS: nil)
            }
            return .done
        }
        switch action.actionID {
        case SlackReplyRenderer.ActionID.nextLesson:
            let reply = try await agent.handle(AgentInput(learnerID: user, channel: .slack, action: .nextLesson))
            guard let channel = interaction.channel?.id else { return .ignored }
            try await post(reply, inbound: id, channel: channel, threadTS: nil)
            return .done
        case SlackReplyRenderer.ActionID.snooze:
            guard let channel = interaction.channel?.id else { return .ignored }
            // Today's scheduled lesson, if it has not gone out yet, is skipped.
            if let learnerID = try await store.find(channel: .slack, externalID: user) {
                _ = try await dailyLessons.snoozeToday(learnerID)
            }
            try await post(
                AgentReply(text: "Okay, see you tomorrow. Say \"next lesson\" whenever you want one sooner."),
                inbound: id, channel: channel, threadTS: nil)
            return .done
        default:
            return .ignored
        }
    }

    // MARK: - Helpers

    /// The first time a Slack learner is seen, their name and time zone come from `users.info` (the scheduler
    /// sends lessons at local time). A failure is logged and tried again on a later message, never fatal.
    func fillProfileIfNew(_ user: String) async {
        do {
            let rows = try await postgres.query(
                """
                SELECT l.id FROM learners l JOIN learner_identities i ON i.learner_id = l.id
                WHERE i.channel = 'slack' AND i.external_id = $1 AND l.display_name IS NULL
                """, [user])
            guard let learnerID = try rows.first?.decode(UUID.self, "id") else { return }
            let profile = try await slack.userInfo(userID: user)
            let zone = profile.timeZone.flatMap { TimeZone(identifier: $0) == nil ? nil : $0 }
            // The name is kept as Slack gave it, but for NUL characters, which Postgres text cannot hold.
            let name = String(String.UnicodeScalarView((profile.name ?? user).unicodeScalars.filter { $0 != "\u{0}" }))
            try await postgres.query(
                """
                UPDATE learners SET display_name = $2, time_zone = COALESCE($3, time_zone), updated_at = now()
                WHERE id = $1
                """, [learnerID, name.isEmpty ? user : name, zone])
        } catch {
            logger.warning("could not read the Slack profile", metadata: ["user": "\(user)", "error": "\(error)"])
        }
    }

    /// Queues the reply in `channel`.
    private func post(_ reply: AgentReply, inbound id: Int64, channel: String, threadTS: String?) async throws {
        let message = SlackReplyRenderer.message(for: reply)
        var body = SlackOutboundBody(operation: .post, channel: channel, text: message.text, blocks: message.blocks)
        body.threadTS = threadTS
        let encoded = try body.encoded()
        try await outbox.enqueue(
            dedupeKey: "reply:\(id)", channel: "slack", destination: channel,
            kind: reply.lesson == nil ? "reply" : "lesson", body: encoded, inboundEventID: id)
    }

    /// A lesson goes to the learner's DM and the command gets a short ephemeral note; other replies answer
    /// the command directly.
    private func deliver(_ reply: AgentReply, _ id: Int64, _ command: SlackSlashCommand, note: String) async throws {
        guard reply.lesson != nil else {
            try await respond(id, command, reply: reply)
            return
        }
        let message = SlackReplyRenderer.message(for: reply)
        let body = try SlackOutboundBody(
            operation: .post, userID: command.userID, text: message.text, blocks: message.blocks
        ).encoded()
        try await outbox.enqueue(
            dedupeKey: "reply:\(id)", channel: "slack", destination: command.userID, kind: "lesson", body: body,
            inboundEventID: id)
        try await respond(id, command, text: note)
    }

    private func respond(_ id: Int64, _ command: SlackSlashCommand, reply: AgentReply) async throws {
        let message = SlackReplyRenderer.message(for: reply)
        try await respond(id, command, message: message)
    }

    private func respond(_ id: Int64, _ command: SlackSlashCommand, text: String) async throws {
        try await respond(id, command, message: SlackMessage(text: text))
    }

    private func respond(_ id: Int64, _ command: SlackSlashCommand, message: SlackMessage) async throws {
        guard let url = command.responseURL else { return }
        let body = try SlackOutboundBody(
            operation: .respond, responseURL: url, text: message.text, blocks: message.blocks, ephemeral: true,
            replaceOriginal: false
        ).encoded()
        try await outbox.enqueue(
            dedupeKey: "respond:\(id)", channel: "slack", destination: command.channelID ?? command.userID,
            kind: "ephemeral", body: body, inboundEventID: id)
    }

    private func card(for attemptID: UUID) async throws -> LessonCard? {
        guard let attempt = try await store.attempt(id: attemptID), let lesson = curriculum.lesson(id: attempt.lessonID)
        else { return nil }
        return LessonCard(attemptID: attemptID, lesson: lesson, topicTitle: curriculum.title(ofTopic: lesson.topic))
    }

    private func setStatus(_ learnerID: UUID, _ status: String) async throws {
        try await postgres.query(
            "UPDATE learners SET status = $2, updated_at = now() WHERE id = $1", [learnerID, status])
    }

    /// `<@U123>` and `<@U123|name>` removed, spaces trimmed.
    static func removingMentions(_ text: String) -> String {
        text.replacing(/<@[A-Z0-9]+(\|[^>]*)?>/, with: "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `7:30`, `07:30`, `19:05` → hour and minute.
    static func parseTime(_ text: String) -> (Int, Int)? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), parts[1].count == 2,
            (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        return (hour, minute)
    }

    /// A topic by slug or title, case-insensitively.
    static func matchTopic(_ text: String, in curriculum: CurriculumPack) -> String? {
        let wanted = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !wanted.isEmpty else { return nil }
        return curriculum.topics.first {
            $0.slug == wanted || $0.title.lowercased() == wanted
                || $0.slug.replacingOccurrences(of: "-", with: " ") == wanted
        }?.slug
    }

    /// `<attempt uuid>:<index>` from a quiz button's value.
    static func parseAnswer(_ value: String) -> (UUID, Int)? {
        let parts = value.split(separator: ":")
        guard parts.count == 2, let attempt = UUID(uuidString: String(parts[0])), let index = Int(parts[1]),
            (0..<4).contains(index)
        else { return nil }
        return (attempt, index)
    }
}
