import Foundation
import Learning
import Logging
import Postgres
import Slack

/// `/learn-admin`: the admins' slash command. Only admins (bootstrap ids from `ADMIN_SLACK_USER_IDS` and the
/// `admins` table) get past the door; everyone else gets a polite refusal and nothing else happens. Every
/// action that reads or changes something is written to `audit_log`, and the answer is one ephemeral message
/// through the command's `response_url`. Messages to learners go through the outbox with keys derived from the
/// inbound event id, so a retried command never messages anyone twice.
struct SlackAdminCommands {
    /// At most this many learners are messaged by one `push all` or `broadcast`.
    static let fanOutLimit = 500
    /// At most this many learners are listed by `learners`.
    static let listLimit = 50

    static let help = """
        `/learn-admin` commands:
        • `stats`: learners, answers, quiz average and outbound messages
        • `enroll @user [topic]` or `enroll +15551234567 [topic]`: enrol a learner
        • `push @user`, `push +15551234567` or `push all`: send today's lesson now
        • `broadcast TEXT`: message every active Slack learner
        • `pause @user`, `resume @user`: stop or restart daily lessons
        • `learners`: the most recently active learners
        • `admins`, `admins add @user`, `admins remove @user`: who can use these commands
        """

    let agent: any AgentTurnHandler
    let curriculum: CurriculumPack
    let store: PostgresLearningStore
    let outbox: OutboxStore
    let postgres: PostgresConnectionPool
    /// Admins from configuration: always admins, never removable from Slack.
    let bootstrapAdmins: Set<String>
    let dailyLessons: DailyLessons
    let logger: Logger

    /// Answers one `/learn-admin` invocation stored as inbound event `id`.
    func run(_ id: Int64, _ command: SlackSlashCommand) async throws {
        guard try await isAdmin(command.userID) else {
            try await respond(id, command, text: "Sorry, `/learn-admin` is only for the programme's admins.")
            return
        }
        let (subcommand, rest) = Self.split(command.text)
        let request = Request(inboundID: id, actor: command.userID, subcommand: subcommand, rest: rest)
        let answer: String
        do {
            answer = try await perform(request)
        } catch let error as AdminCommandError {
            answer = error.message
        }
        try await respond(id, command, text: answer)
    }

    /// One parsed invocation.
    struct Request {
        let inboundID: Int64
        let actor: String
        let subcommand: String
        /// Everything after the subcommand, as typed (broadcast keeps its line breaks).
        let rest: String

        var words: [String] { rest.split(whereSeparator: \.isWhitespace).map(String.init) }
    }

    private func perform(_ request: Request) async throws -> String {
        switch request.subcommand {
        case "stats": try await stats(request)
        case "enroll", "enrol": try await enroll(request)
        case "push": try await push(request)
        case "broadcast": try await broadcast(request)
        case "pause": try await setStatus(request, to: "paused")
        case "resume": try await setStatus(request, to: "active")
        case "learners": try await learners(request)
        case "admins": try await admins(request)
        case "", "help": Self.help
        default: "I don't know `\(SlackReplyRenderer.escape(request.subcommand))`.\n" + Self.help
        }
    }

    // MARK: - stats

    private func stats(_ request: Request) async throws -> String {
        let statuses = try await postgres.query(
            "SELECT status, count(*) AS n FROM learners GROUP BY status ORDER BY status")
        var byStatus = ["active": 0, "paused": 0, "unenrolled": 0]
        for row in statuses { byStatus[try row.decode(String.self, "status")] = try row.decode(Int.self, "n") }
        let answers = try await postgres.query(
            """
            SELECT count(*) FILTER (WHERE answered_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
                       AS today,
                   count(*) FILTER (WHERE answered_at >= now() - interval '7 days') AS week,
                   avg(CASE WHEN correct THEN 1.0 ELSE 0.0 END)::float8 AS average
            FROM quiz_responses
            """)[0]
        let outbound = try await postgres.query(
            """
            SELECT status, count(*) AS n FROM outbound_messages WHERE created_at >= now() - interval '24 hours'
            GROUP BY status ORDER BY status
            """)
        let today = try answers.decode(Int.self, "today")
        let week = try answers.decode(Int.self, "week")
        let average = try answers.decode(Double?.self, "average")
        var sent: [(String, Int)] = []
        for row in outbound { sent.append((try row.decode(String.self, "status"), try row.decode(Int.self, "n"))) }

        try await audit(request, action: "stats", target: nil, details: [:])
        let learnerLine = byStatus.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        let averageText = average.map { "\(Int(($0 * 100).rounded()))%" } ?? "no answers yet"
        let outboundText = sent.isEmpty ? "none" : sent.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
        return """
            *Learners:* \(learnerLine.joined(separator: ", "))
            *Lessons answered:* \(today) today (UTC), \(week) in the last 7 days
            *Average quiz score:* \(averageText)
            *Outbound messages, last 24 h:* \(outboundText)
            """
    }

    // MARK: - enroll

    private func enroll(_ request: Request) async throws -> String {
        let words = request.words
        guard let first = words.first else {
            throw AdminCommandError.usage("`/learn-admin enroll @user [topic]` or `enroll +15551234567 [topic]`")
        }
        let target = try AdminTarget(parsing: first)
        // Check the topic before anything is written, so a typo enrols nobody.
        var topic: String?
        let topicText = words.dropFirst().joined(separator: " ")
        if !topicText.isEmpty {
            guard let slug = SlackInboxHandler.matchTopic(topicText, in: curriculum) else {
                throw AdminCommandError.unknownTopic(topicText, known: curriculum.topics.map(\.slug))
            }
            topic = slug
        }

        let learnerID = try await store.resolve(channel: target.channel, externalID: target.externalID)
        let rows = try await postgres.query(
            """
            UPDATE learners SET status = 'active', display_name = COALESCE(display_name, $2), updated_at = now()
            WHERE id = $1
            RETURNING to_char(delivery_time, 'HH24:MI') AS delivery_time
            """, [learnerID, target.name])
        let deliveryTime = try rows.first?.decode(String.self, "delivery_time") ?? "09:00"
        if let topic {
            let stored = try await store.path(learnerID: learnerID)
            try await store.savePath(
                LearningPath(
                    learnerID: learnerID, currentTopic: topic,
                    difficulty: stored?.currentTopic == topic ? stored?.difficulty ?? .easy : .easy,
                    upcomingTopics: GetLearningPathTool.upcoming(after: topic, in: curriculum)),
                at: Date())
        }
        let optedOut = try await isOptedOut(target)
        try await audit(
            request, action: "enroll", target: target.externalID,
            details: [
                "channel": .string(target.channel.rawValue), "learner_id": .string(learnerID.uuidString),
                "topic": topic.map(JSONValue.string) ?? .null, "opted_out": .bool(optedOut),
            ])

        let who = target.mention
        let topicTitle = topic.map { SlackReplyRenderer.escape(curriculum.title(ofTopic: $0)) }
        let topicNote = topicTitle.map { " starting with *\($0)*" } ?? ""
        switch target {
        case .phone:
            if optedOut {
                return "Enrolled \(who)\(topicNote), but this number has opted out: nothing will be sent until "
                    + "they text START."
            }
            return "Enrolled \(who)\(topicNote). SMS delivery starts when the SMS channel is configured."
        case .slack(let userID, _):
            if optedOut { return "Enrolled \(who)\(topicNote), but they have opted out, so no welcome was sent." }
            var welcome =
                "Welcome to *\(SlackReplyRenderer.escape(curriculum.title))*! <@\(request.actor)> "
                + "enrolled you. You'll get a short lesson here every day at \(deliveryTime) your time, "
                + "each with a quick quiz."
            if let topicTitle { welcome += " You'll start with *\(topicTitle)*." }
            welcome += " Say *next lesson* for one now, or use `/learn help` to see your options."
            let body = try SlackOutboundBody(operation: .post, userID: userID, text: welcome).encoded()
            try await outbox.enqueue(
                dedupeKey: "admin:\(request.inboundID):welcome:\(learnerID)", channel: "slack", destination: userID,
                kind: "reply", body: body, learnerID: learnerID, inboundEventID: request.inboundID)
            return "Enrolled \(who)\(topicNote) and sent them a welcome message."
        }
    }

    // MARK: - push

    private func push(_ request: Request) async throws -> String {
        guard let first = request.words.first else {
            throw AdminCommandError.usage("`/learn-admin push @user`, `push +15551234567` or `push all`")
        }
        if first.lowercased() == "all" {
            let audience = try await pushAudience()
            let queued = try await dailyLessons.push(audience.learnerIDs, by: request.actor)
            let already = audience.learnerIDs.count - queued
            try await audit(
                request, action: "push", target: "all",
                details: [
                    "queued": .number(Double(queued)), "skipped": .number(Double(audience.skipped)),
                    "already_had_today": .number(Double(already)),
                ])
            var answer = "Queued the next lesson for \(Self.count(queued, "learner"))."
                + Self.fanOutNotes(skipped: audience.skipped, failed: 0, overLimit: 0)
            if already > 0 { answer += " \(Self.count(already, "learner")) already had today's lesson." }
            return answer
        }

        let target = try AdminTarget(parsing: first)
        guard let learnerID = try await store.find(channel: target.channel, externalID: target.externalID) else {
            throw AdminCommandError.notEnrolled(target.mention)
        }
        if let reason = try await skipReason(learnerID: learnerID, target: target) {
            try await audit(
                request, action: "push", target: target.externalID,
                details: ["queued": 0, "skipped": 1, "reason": .string(reason)])
            return "Skipped \(target.mention): \(reason)."
        }
        let queued = try await dailyLessons.push([learnerID], by: request.actor)
        try await audit(
            request, action: "push", target: target.externalID,
            details: ["queued": .number(Double(queued)), "skipped": 0, "already_had_today": .number(Double(1 - queued))])
        return queued == 1
            ? "Queued the next lesson for \(target.mention)."
            : "\(target.mention) already had today's lesson (sent or on its way); nothing more was queued."
    }

    /// Every learner reachable on Slack or SMS: the active ones none of whose addresses opted out, and how many
    /// others were skipped (paused, unenrolled, opted out).
    private func pushAudience() async throws -> (learnerIDs: [UUID], skipped: Int) {
        let rows = try await postgres.query(
            """
            SELECT l.id,
                   l.status = 'active' AND NOT EXISTS (
                       SELECT 1 FROM learner_identities i
                       JOIN opt_outs o ON o.channel = i.channel AND o.address = i.external_id
                       WHERE i.learner_id = l.id) AS eligible
            FROM learners l
            WHERE EXISTS (SELECT 1 FROM learner_identities i WHERE i.learner_id = l.id AND i.channel IN ('slack', 'sms'))
            """)
        var learnerIDs: [UUID] = []
        var skipped = 0
        for row in rows {
            if try row.decode(Bool.self, "eligible") {
                learnerIDs.append(try row.decode(UUID.self, "id"))
            } else {
                skipped += 1
            }
        }
        return (learnerIDs, skipped)
    }

    // MARK: - broadcast

    private func broadcast(_ request: Request) async throws -> String {
        let text = request.rest.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw AdminCommandError.usage("`/learn-admin broadcast TEXT`") }
        let audience = try await slackAudience()
        let body = SlackOutboundBody(operation: .post, text: SlackReplyRenderer.escape(text))
        for recipient in audience.recipients {
            var message = body
            message.userID = recipient.userID
            try await outbox.enqueue(
                dedupeKey: "admin:\(request.inboundID):broadcast:\(recipient.learnerID)", channel: "slack",
                destination: recipient.userID, kind: "broadcast", body: try message.encoded(),
                learnerID: recipient.learnerID, inboundEventID: request.inboundID)
        }
        try await audit(
            request, action: "broadcast", target: "all",
            details: [
                "text": .string(text), "queued": .number(Double(audience.recipients.count)),
                "skipped": .number(Double(audience.skipped)), "over_limit": .number(Double(audience.overLimit)),
            ])
        return "Broadcast queued for \(Self.count(audience.recipients.count, "learner"))."
            + Self.fanOutNotes(skipped: audience.skipped, failed: 0, overLimit: audience.overLimit)
    }

    // MARK: - pause, resume

    private func setStatus(_ request: Request, to status: String) async throws -> String {
        guard let first = request.words.first else {
            throw AdminCommandError.usage("`/learn-admin \(request.subcommand) @user`")
        }
        let target = try AdminTarget(parsing: first)
        guard let learnerID = try await store.find(channel: target.channel, externalID: target.externalID) else {
            throw AdminCommandError.notEnrolled(target.mention)
        }
        let rows = try await postgres.query(
            """
            WITH before AS (SELECT status FROM learners WHERE id = $1)
            UPDATE learners SET status = $2, updated_at = now() WHERE id = $1
            RETURNING (SELECT status FROM before) AS previous
            """, [learnerID, status])
        let previous = try rows.first?.decode(String.self, "previous") ?? status
        try await audit(
            request, action: request.subcommand, target: target.externalID,
            details: ["previous": .string(previous), "status": .string(status)])
        return status == "paused"
            ? "Paused \(target.mention): no lessons until `/learn-admin resume`."
            : "Resumed \(target.mention): daily lessons are back on."
    }

    // MARK: - learners

    private func learners(_ request: Request) async throws -> String {
        let rows = try await postgres.query(
            """
            SELECT l.display_name, l.status,
                   (SELECT string_agg(i.channel || ' ' || i.external_id, ', ' ORDER BY i.channel, i.external_id)
                    FROM learner_identities i WHERE i.learner_id = l.id) AS identities,
                   (SELECT max(e.occurred_at) FROM engagement_events e WHERE e.learner_id = l.id) AS last_active,
                   count(*) OVER () AS total
            FROM learners l
            ORDER BY last_active DESC NULLS LAST, l.created_at DESC
            LIMIT $1
            """, [Self.listLimit])
        try await audit(request, action: "learners", target: nil, details: ["listed": .number(Double(rows.count))])
        guard let total = try rows.first?.decode(Int.self, "total") else { return "No learners yet." }
        var lines = ["*Learners* (\(rows.count) of \(total), most recently active first):"]
        for row in rows {
            let name = try row.decode(String?.self, "display_name").map { SlackReplyRenderer.escape($0) + " · " }
            let identities = try row.decode(String?.self, "identities") ?? "no channel"
            let last = try row.decode(Date?.self, "last_active").map(Self.format) ?? "never"
            lines.append(
                "• \(name ?? "")`\(try row.decode(String.self, "status"))` · "
                    + "\(SlackReplyRenderer.escape(identities)) · last active \(last)")
        }
        return lines.joined(separator: "\n")
    }

    // MARK: - admins

    private func admins(_ request: Request) async throws -> String {
        let words = request.words
        guard let verb = words.first?.lowercased() else {
            let rows = try await postgres.query("SELECT slack_user_id FROM admins ORDER BY slack_user_id")
            let added = try rows.map { try $0.decode(String.self, "slack_user_id") }
            try await audit(request, action: "admins.list", target: nil, details: [:])
            let bootstrap = bootstrapAdmins.sorted().map { "<@\($0)> (configuration)" }
            let listed = added.filter { !bootstrapAdmins.contains($0) }.map { "<@\($0)>" }
            return "*Admins:* " + (bootstrap + listed).joined(separator: ", ")
        }
        guard ["add", "remove"].contains(verb), words.count == 2 else {
            throw AdminCommandError.usage("`/learn-admin admins add @user` or `/learn-admin admins remove @user`")
        }
        let target = try AdminTarget(parsing: words[1])
        guard case .slack(let userID, _) = target else { throw AdminCommandError.adminMustBeSlackUser }
        if verb == "add" {
            if bootstrapAdmins.contains(userID) { return "\(target.mention) is already an admin." }
            let inserted = try await postgres.query(
                "INSERT INTO admins (slack_user_id, added_by) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1",
                [userID, request.actor])
            if inserted.isEmpty { return "\(target.mention) is already an admin." }
            try await audit(request, action: "admins.add", target: userID, details: [:])
            return "\(target.mention) is now an admin."
        }
        if bootstrapAdmins.contains(userID) {
            return "\(target.mention) is an admin from the gateway's configuration (`ADMIN_SLACK_USER_IDS`) and "
                + "can't be removed here; change the configuration instead."
        }
        let deleted = try await postgres.query(
            "DELETE FROM admins WHERE slack_user_id = $1 RETURNING slack_user_id", [userID])
        if deleted.isEmpty { return "\(target.mention) isn't an admin." }
        try await audit(request, action: "admins.remove", target: userID, details: [:])
        return "\(target.mention) is no longer an admin."
    }

    // MARK: - Helpers

    /// A Slack learner a fan-out reaches.
    struct Recipient {
        let userID: String
        let learnerID: UUID
    }

    /// Active Slack learners who have not opted out (at most `fanOutLimit`, oldest first), how many Slack
    /// learners were skipped (paused, unenrolled, opted out), and how many were left out by the limit.
    private func slackAudience() async throws -> (recipients: [Recipient], skipped: Int, overLimit: Int) {
        let counts = try await postgres.query(
            """
            SELECT count(*) FILTER (WHERE l.status = 'active' AND o.address IS NULL) AS eligible,
                   count(*) FILTER (WHERE l.status <> 'active' OR o.address IS NOT NULL) AS skipped
            FROM learner_identities i JOIN learners l ON l.id = i.learner_id
            LEFT JOIN opt_outs o ON o.channel = 'slack' AND o.address = i.external_id
            WHERE i.channel = 'slack'
            """)[0]
        let rows = try await postgres.query(
            """
            SELECT i.external_id, l.id
            FROM learner_identities i JOIN learners l ON l.id = i.learner_id
            WHERE i.channel = 'slack' AND l.status = 'active'
              AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.channel = 'slack' AND o.address = i.external_id)
            ORDER BY l.created_at, i.id
            LIMIT $1
            """, [Self.fanOutLimit])
        let recipients = try rows.map {
            Recipient(userID: try $0.decode(String.self, "external_id"), learnerID: try $0.decode(UUID.self, "id"))
        }
        let eligible = try counts.decode(Int.self, "eligible")
        return (recipients, try counts.decode(Int.self, "skipped"), max(0, eligible - recipients.count))
    }

    /// Why a learner gets no lesson now, or nil when they can have one.
    private func skipReason(learnerID: UUID, target: AdminTarget) async throws -> String? {
        let rows = try await postgres.query("SELECT status FROM learners WHERE id = $1", [learnerID])
        let status = try rows.first?.decode(String.self, "status") ?? "unenrolled"
        if status != "active" { return "they are \(status)" }
        if try await isOptedOut(target) { return "they have opted out" }
        return nil
    }

    private func isOptedOut(_ target: AdminTarget) async throws -> Bool {
        !(try await postgres.query(
            "SELECT 1 FROM opt_outs WHERE channel = $1 AND address = $2",
            [target.channel.rawValue, target.externalID])).isEmpty
    }

    private func isAdmin(_ userID: String) async throws -> Bool {
        if bootstrapAdmins.contains(userID) { return true }
        return !(try await postgres.query("SELECT 1 FROM admins WHERE slack_user_id = $1", [userID])).isEmpty
    }

    private func audit(_ request: Request, action: String, target: String?, details: [String: JSONValue])
        async throws
    {
        try await postgres.query(
            "INSERT INTO audit_log (actor, action, target, details) VALUES ($1, $2, $3, $4)",
            [request.actor, "admin.\(action)", target, try PostgresValue.jsonEncoded(details)])
    }

    private func respond(_ id: Int64, _ command: SlackSlashCommand, text: String) async throws {
        guard let url = command.responseURL else { return }
        let body = try SlackOutboundBody(
            operation: .respond, responseURL: url, text: text, ephemeral: true, replaceOriginal: false
        ).encoded()
        try await outbox.enqueue(
            dedupeKey: "respond:\(id)", channel: "slack", destination: command.channelID ?? command.userID,
            kind: "ephemeral", body: body, inboundEventID: id)
    }

    /// The first word, lowercased, and the text after it as typed.
    static func split(_ text: String) -> (subcommand: String, rest: String) {
        let trimmed = text.drop { $0.isWhitespace }
        let word = trimmed.prefix { !$0.isWhitespace }
        let rest = trimmed.dropFirst(word.count).drop { $0 == " " || $0 == "\t" }
        return (word.lowercased(), String(rest))
    }

    private static func fanOutNotes(skipped: Int, failed: Int, overLimit: Int) -> String {
        var notes = ""
        if skipped > 0 { notes += " Skipped \(count(skipped, "learner")) (paused, unenrolled or opted out)." }
        if failed > 0 { notes += " \(count(failed, "lesson")) could not be prepared; see the logs." }
        if overLimit > 0 {
            notes +=
                " \(count(overLimit, "more active learner")) not reached: one command reaches at most "
                + "\(fanOutLimit)."
        }
        return notes
    }

    private static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// `2026-11-23 13:05 UTC`.
    private static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0)
    }
}

/// Who an admin command is about: a Slack user (from a mention) or a phone number.
package enum AdminTarget: Equatable, Sendable {
    case slack(userID: String, name: String?)
    case phone(String)

    /// Reads `<@U123>`, `<@U123|name>` or an E.164 number (`+` then 8 to 15 digits, the first not zero). A user id
    /// is at most 128 characters, like every learner id (Slack's are about 11).
    package init(parsing word: String) throws(AdminCommandError) {
        if let match = word.wholeMatch(of: /<@([UW][A-Z0-9]{1,127})(?:\|([^>]*))?>/) {
            let name = match.output.2.map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            self = .slack(userID: String(match.output.1), name: name)
        } else if word.hasPrefix("+") {
            guard word.wholeMatch(of: /\+[1-9][0-9]{7,14}/) != nil else { throw .badPhoneNumber(word) }
            self = .phone(word)
        } else {
            throw .unknownTarget(word)
        }
    }

    package var channel: Channel {
        switch self {
        case .slack: .slack
        case .phone: .sms
        }
    }

    package var externalID: String {
        switch self {
        case .slack(let userID, _): userID
        case .phone(let number): number
        }
    }

    package var name: String? {
        if case .slack(_, let name) = self { return name }
        return nil
    }

    /// How the answer names the target: a Slack mention renders as the person's name.
    package var mention: String {
        switch self {
        case .slack(let userID, _): "<@\(userID)>"
        case .phone(let number): number
        }
    }
}

/// An admin command the gateway cannot carry out as given; its message is the admin's answer.
package enum AdminCommandError: Error, Equatable, Sendable {
    case usage(String)
    case unknownTarget(String)
    case badPhoneNumber(String)
    case unknownTopic(String, known: [String])
    case notEnrolled(String)
    case smsNotConfigured(String)
    case adminMustBeSlackUser

    package var message: String {
        switch self {
        case .usage(let usage):
            "Usage: \(usage)"
        case .unknownTarget(let word):
            "I can't tell who `\(SlackReplyRenderer.escape(word))` is. Mention a Slack user (`@name`, picked from "
                + "the list so Slack sends their id) or give a phone number like `+15551234567`."
        case .badPhoneNumber(let word):
            "`\(SlackReplyRenderer.escape(word))` isn't a valid phone number. Use the international format: "
                + "`+`, the country code, then the number, 8 to 15 digits in all (e.g. `+15551234567`)."
        case .unknownTopic(let topic, let known):
            "There's no topic `\(SlackReplyRenderer.escape(topic))`; nobody was enrolled. Topics: "
                + known.map { "`\($0)`" }.joined(separator: ", ") + "."
        case .notEnrolled(let who):
            "\(who) isn't enrolled. Use `/learn-admin enroll` first."
        case .smsNotConfigured(let number):
            "Nothing was sent to \(number): SMS delivery starts when the SMS channel is configured."
        case .adminMustBeSlackUser:
            "Admins are Slack users: mention one, e.g. `/learn-admin admins add @name`."
        }
    }
}
