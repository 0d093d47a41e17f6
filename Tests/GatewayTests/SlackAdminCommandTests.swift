import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Learning
import NIOCore
import Postgres
import Synchronization
import TestSupport
import Testing
import WebhookSamples

/// `/learn-admin` end to end: signed command in, inbox worker, outbox, Slack stand-in out, Postgres checked.
@Suite struct SlackAdminCommandTests {
    static let admin = "U0ADMIN001"

    /// Everything one test needs: the app's client, its dependencies, the Slack stand-in, and a command counter
    /// so every invocation gets its own trigger id (the inbox deduplicates on it).
    final class Context: Sendable {
        let client: any TestClientProtocol
        let dependencies: GatewayDependencies
        let standIn: SlackAPIStandIn
        let responseBase: String
        private let counter = Counter()

        init(
            client: any TestClientProtocol, dependencies: GatewayDependencies, standIn: SlackAPIStandIn,
            responseBase: String
        ) {
            self.client = client
            self.dependencies = dependencies
            self.standIn = standIn
            self.responseBase = responseBase
        }

        var postgres: PostgresConnectionPool { dependencies.postgres }

        /// Sends `/learn-admin TEXT` as `user`, processes it, sends what it queued, and returns the ephemeral answer.
        @discardableResult
        func admin(_ text: String, as user: String = SlackAdminCommandTests.admin) async throws -> String {
            let encoded = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let body = try SlackConversationTests.command(
                "command_learn_admin.form", responseBase: responseBase,
                replacing: [
                    ("user_id=U0ADMIN001", "user_id=" + user),
                    ("text=enroll+%3C%40U0LEARNER2%7Cjordan%3E+apr", "text=" + encoded),
                    ("trigger_id=", "trigger_id=\(counter.next())."),
                ])
            let answers = standIn.calls("response_url").count
            try await SlackConversationTests.send(client, "/slack/commands", body, form: true)
            try await SlackConversationTests.work(dependencies)
            let calls = standIn.calls("response_url")
            #expect(calls.count == answers + 1)
            return calls.last?.json?["text"] as? String ?? ""
        }

        /// A Slack learner created directly, with `status`.
        @discardableResult
        func learner(slack userID: String, status: String = "active") async throws -> UUID {
            try await learner(.slack, userID, status: status)
        }

        @discardableResult
        func learner(_ channel: Learning.Channel, _ externalID: String, status: String = "active") async throws
            -> UUID
        {
            let id = try await PostgresLearningStore(pool: postgres).resolve(channel: channel, externalID: externalID)
            try await postgres.query("UPDATE learners SET status = $2 WHERE id = $1", [id, status])
            return id
        }

        func count(_ sql: String, _ binds: [any PostgresEncodable] = []) async throws -> Int {
            try await postgres.query(sql, binds)[0].decode(Int.self, at: 0)
        }

        /// `(action, target, details)` of every audit row, oldest first.
        func audit() async throws -> [(action: String, actor: String, target: String?, details: [String: Any])] {
            let sql = "SELECT actor, action, target, details::text AS details FROM audit_log ORDER BY id"
            return try await postgres.query(sql)
                .map { row in
                    let details = try row.decode(String.self, "details")
                    return (
                        try row.decode(String.self, "action"), try row.decode(String.self, "actor"),
                        try row.decode(String?.self, "target"),
                        (try JSONSerialization.jsonObject(with: Data(details.utf8)) as? [String: Any]) ?? [:]
                    )
                }
        }
    }

    private final class Counter: Sendable {
        let value = Mutex(0)
        func next() -> Int {
            value.withLock {
                $0 += 1; return $0
            }
        }
    }

    static func withAdmin(_ body: @Sendable (Context) async throws -> Void) async throws {
        try await SlackConversationTests.withGateway { client, dependencies, standIn, responseBase in
            try await body(
                Context(client: client, dependencies: dependencies, standIn: standIn, responseBase: responseBase))
        }
    }

    // MARK: - stats

    @Test func statsReportsLearnersAnswersScoreAndOutboundAndIsAudited() async throws {
        try await Self.withAdmin { context in
            let active = try await context.learner(slack: "U0LEARNER2")
            try await context.learner(slack: "U0LEARNER3")
            try await context.learner(slack: "U0LEARNER4", status: "paused")
            // Two answers today (one right), one eight days ago (right).
            let lesson = try await context.postgres.query("SELECT id, topic, difficulty FROM lessons LIMIT 1")[0]
            let lessonID = try lesson.decode(UUID.self, "id")
            for (daysAgo, correct) in [(0, true), (0, false), (8, true)] {
                let attempt = try await context.postgres.query(
                    """
                    INSERT INTO lesson_attempts (learner_id, lesson_id, channel) VALUES ($1, $2, 'slack')
                    RETURNING id
                    """,
                    [active, lessonID])[0].decode(UUID.self, "id")
                try await context.postgres.query(
                    """
                    INSERT INTO quiz_responses
                        (attempt_id, learner_id, lesson_id, topic, difficulty, response, correct, answered_at)
                    VALUES ($1, $2, $3, $4, $5, 'A', $6, now() - make_interval(days => $7::int))
                    """,
                    [
                        attempt, active, lessonID, try lesson.decode(String.self, "topic"),
                        try lesson.decode(String.self, "difficulty"), correct, daysAgo,
                    ])
            }
            for status in ["sent", "sent", "failed"] {
                try await context.postgres.query(
                    """
                    INSERT INTO outbound_messages (dedupe_key, channel, destination, kind, body, status)
                    VALUES (gen_random_uuid()::text, 'slack', 'D1', 'reply', '{}', $1)
                    """, [status])
            }

            let answer = try await context.admin("stats")
            #expect(answer.contains("2 active, 1 paused, 0 unenrolled"))
            #expect(answer.contains("2 today (UTC), 2 in the last 7 days"))
            #expect(answer.contains("*Average quiz score:* 67%"))
            #expect(answer.contains("1 failed, 2 sent"))
            let audit = try await context.audit()
            #expect(audit.map(\.action) == ["admin.stats"])
            #expect(audit.first?.actor == Self.admin)
        }
    }

    // MARK: - enroll

    @Test func enrollingASlackUserActivatesThemSetsTheTopicAndSendsAWelcome() async throws {
        try await Self.withAdmin { context in
            try await context.learner(slack: "U0LEARNER2", status: "unenrolled")
            let answer = try await context.admin("enroll <@U0LEARNER2|jordan> credit limits")
            #expect(answer.contains("Enrolled <@U0LEARNER2>"))
            #expect(answer.contains("welcome"))

            let row = try await context.postgres.query(
                """
                SELECT l.status, l.display_name, p.current_topic FROM learner_identities i
                JOIN learners l ON l.id = i.learner_id LEFT JOIN learning_paths p ON p.learner_id = l.id
                WHERE i.channel = 'slack' AND i.external_id = 'U0LEARNER2'
                """)[0]
            #expect(try row.decode(String.self, "status") == "active")
            #expect(try row.decode(String?.self, "display_name") == "jordan")
            #expect(try row.decode(String?.self, "current_topic") == "credit-limits")

            let welcome = try #require(context.standIn.calls("chat.postMessage").first)
            #expect(welcome.json?["channel"] as? String == "DU0LEARNER2")
            #expect((welcome.json?["text"] as? String)?.contains("Welcome") == true)
            #expect((welcome.json?["text"] as? String)?.contains("<@U0ADMIN001>") == true)

            let audit = try await context.audit()
            #expect(audit.map(\.action) == ["admin.enroll"])
            #expect(audit.first?.target == "U0LEARNER2")
            #expect(audit.first?.details["topic"] as? String == "credit-limits")
            #expect(audit.first?.details["channel"] as? String == "slack")
        }
    }

    @Test func enrollingAPhoneNumberEnrolsForSMSAndSendsNothingYet() async throws {
        try await Self.withAdmin { context in
            let answer = try await context.admin("enroll +15551234567 apr")
            #expect(answer.contains("Enrolled +15551234567"))
            #expect(answer.contains("SMS delivery starts when the SMS channel is configured"))
            #expect(
                try await context.count(
                    "SELECT count(*) FROM learner_identities WHERE channel = 'sms' AND external_id = '+15551234567'")
                    == 1)
            #expect(try await context.count("SELECT count(*) FROM learning_paths WHERE current_topic = 'apr'") == 1)
            #expect(context.standIn.calls("chat.postMessage").isEmpty)
            #expect(try await context.count("SELECT count(*) FROM outbound_messages WHERE kind <> 'ephemeral'") == 0)
            let audit = try await context.audit()
            #expect(audit.map(\.action) == ["admin.enroll"])
            #expect(audit.first?.target == "+15551234567")
        }
    }

    @Test func enrollWithBadArgumentsChangesNothing() async throws {
        try await Self.withAdmin { context in
            let unknownUser = try await context.admin("enroll @jordan")
            #expect(unknownUser.contains("can't tell who `@jordan` is"))
            for number in ["+05551234567", "+1555123", "+1234567890123456", "+1555-123-4567", "+"] {
                let answer = try await context.admin("enroll \(number)")
                #expect(answer.contains("isn't a valid phone number"), "\(number)")
            }
            let unknownTopic = try await context.admin("enroll <@U0LEARNER2> underwater basket weaving")
            #expect(unknownTopic.contains("There's no topic `underwater basket weaving`"))
            #expect(unknownTopic.contains("`apr`"))
            let missing = try await context.admin("enroll")
            #expect(missing.hasPrefix("Usage:"))

            #expect(try await context.count("SELECT count(*) FROM learners") == 0)
            #expect(try await context.count("SELECT count(*) FROM audit_log") == 0)
            #expect(context.standIn.calls("chat.postMessage").isEmpty)
        }
    }

    @Test func adminTargetsAreMentionsOrE164Numbers() throws {
        #expect(try AdminTarget(parsing: "<@U0LEARNER2|jordan>") == .slack(userID: "U0LEARNER2", name: "jordan"))
        #expect(try AdminTarget(parsing: "<@W0ENTERPRISE>") == .slack(userID: "W0ENTERPRISE", name: nil))
        #expect(try AdminTarget(parsing: "+44207946000") == .phone("+44207946000"))
        #expect(try AdminTarget(parsing: "+12345678") == .phone("+12345678"))
        #expect(try AdminTarget(parsing: "+123456789012345") == .phone("+123456789012345"))
        #expect(throws: AdminCommandError.badPhoneNumber("+1234567")) { try AdminTarget(parsing: "+1234567") }
        #expect(throws: AdminCommandError.badPhoneNumber("+0123456789")) { try AdminTarget(parsing: "+0123456789") }
        #expect(throws: AdminCommandError.unknownTarget("15551234567")) { try AdminTarget(parsing: "15551234567") }
        #expect(throws: AdminCommandError.unknownTarget("<#C0TRAINING1|training>")) {
            try AdminTarget(parsing: "<#C0TRAINING1|training>")
        }
    }

    // MARK: - push

    @Test func pushingToAUserSendsTheirNextLessonToTheirDM() async throws {
        try await Self.withAdmin { context in
            let learnerID = try await context.learner(slack: "U0LEARNER2")
            let answer = try await context.admin("push <@U0LEARNER2>")
            #expect(answer == "Queued the next lesson for <@U0LEARNER2>.")
            let lesson = try #require(context.standIn.calls("chat.postMessage").first)
            #expect(lesson.json?["channel"] as? String == "DU0LEARNER2")
            let blocks = try #require(lesson.json?["blocks"] as? [[String: Any]])
            #expect(blocks.contains { $0["type"] as? String == "actions" })
            #expect(
                try await context.count(
                    "SELECT count(*) FROM outbound_messages WHERE kind = 'daily_lesson' AND learner_id = $1",
                    [learnerID]) == 1)
            #expect(
                try await context.count("SELECT count(*) FROM lesson_attempts WHERE learner_id = $1", [learnerID]) == 1)
            // The push is today's lesson: sent, recorded as such, and not sent again by a second push.
            #expect(
                try await context.count(
                    "SELECT count(*) FROM lesson_deliveries WHERE learner_id = $1 AND status = 'sent' AND pushed_by = $2",
                    [learnerID, Self.admin]) == 1)
            #expect(try await context.admin("push <@U0LEARNER2>").contains("already had today's lesson"))
            #expect(context.standIn.calls("chat.postMessage").count == 1)
            let audit = try await context.audit()
            #expect(audit.map(\.action) == ["admin.push", "admin.push"])
            #expect(audit.first?.target == "U0LEARNER2")
        }
    }

    @Test func pushingToAnSMSLearnerQueuesTodaysLessonForTheirNumber() async throws {
        try await Self.withAdmin { context in
            let learnerID = try await context.learner(.sms, "+15551234567")
            #expect(try await context.admin("push +15551234567") == "Queued the next lesson for +15551234567.")
            let rows = try await context.postgres.query(
                "SELECT channel, destination, kind FROM outbound_messages WHERE learner_id = $1", [learnerID])
            #expect(rows.count == 1)
            #expect(try rows.first?.decode(String.self, "destination") == "+15551234567")
            #expect(try rows.first?.decode(String.self, "kind") == "daily_lesson")
            #expect(context.standIn.calls("chat.postMessage").isEmpty)
        }
    }

    @Test func pushingToAPausedOrUnknownLearnerSendsNothing() async throws {
        try await Self.withAdmin { context in
            try await context.learner(slack: "U0LEARNER2", status: "paused")
            try await context.learner(.sms, "+15551234567", status: "paused")
            #expect(try await context.admin("push <@U0LEARNER2>") == "Skipped <@U0LEARNER2>: they are paused.")
            #expect(try await context.admin("push <@U0NOBODY1>").contains("isn't enrolled"))
            #expect(try await context.admin("push +15551234567").contains("Skipped"))
            #expect(try await context.admin("push @jordan").contains("can't tell who"))
            #expect(context.standIn.calls("chat.postMessage").isEmpty)
            #expect(try await context.count("SELECT count(*) FROM lesson_attempts") == 0)
            // Only the skips were actions; the refusals of bad targets are not.
            #expect(try await context.audit().map(\.action) == ["admin.push", "admin.push"])
        }
    }

    @Test func pushingToAllReachesActiveLearnersOnEveryChannelAndCountsTheSkipped() async throws {
        try await Self.withAdmin { context in
            try await context.learner(slack: "U0LEARNER2")
            try await context.learner(slack: "U0LEARNER3")
            try await context.learner(slack: "U0LEARNER4", status: "paused")
            try await context.learner(slack: "U0LEARNER5", status: "unenrolled")
            try await context.learner(slack: "U0LEARNER6")
            try await context.postgres.query(
                "INSERT INTO opt_outs (channel, address, source) VALUES ('slack', 'U0LEARNER6', 'admin')")
            try await context.learner(.sms, "+15551234567")

            let answer = try await context.admin("push all")
            // The SMS learner's lesson goes to their number.
            #expect(answer.contains("Queued the next lesson for 3 learners."))
            #expect(answer.contains("Skipped 3 learners (paused, unenrolled or opted out)."))
            let channels = Set(context.standIn.calls("chat.postMessage").compactMap { $0.json?["channel"] as? String })
            #expect(channels == ["DU0LEARNER2", "DU0LEARNER3"])
            let audit = try await context.audit()
            #expect(audit.map(\.action) == ["admin.push"])
            #expect(audit.first?.target == "all")
            #expect(audit.first?.details["queued"] as? Int == 3)
            #expect(audit.first?.details["skipped"] as? Int == 3)
            #expect(
                try await context.count(
                    "SELECT count(*) FROM outbound_messages WHERE kind = 'daily_lesson' AND channel = 'sms'") == 1)
            // A second push the same day finds everyone served.
            #expect(try await context.admin("push all").contains("3 learners already had today's lesson."))
            #expect(context.standIn.calls("chat.postMessage").count == 2)
        }
    }

    // MARK: - broadcast

    @Test func broadcastSendsEscapedTextToEachActiveSlackLearnerOnce() async throws {
        try await Self.withAdmin { context in
            try await context.learner(slack: "U0LEARNER2")
            try await context.learner(slack: "U0LEARNER3")
            try await context.learner(slack: "U0LEARNER4", status: "paused")

            let answer = try await context.admin("broadcast Quiz day <tomorrow> & a *bonus*")
            #expect(answer.contains("Broadcast queued for 2 learners."))
            #expect(answer.contains("Skipped 1 learner"))
            let posts = context.standIn.calls("chat.postMessage")
            #expect(Set(posts.compactMap { $0.json?["channel"] as? String }) == ["DU0LEARNER2", "DU0LEARNER3"])
            #expect(posts.allSatisfy { $0.json?["text"] as? String == "Quiz day &lt;tomorrow&gt; &amp; a *bonus*" })
            let keys = try await context.postgres.query(
                "SELECT dedupe_key FROM outbound_messages WHERE kind = 'broadcast'"
            ).map { try $0.decode(String.self, "dedupe_key") }
            #expect(keys.count == 2 && Set(keys).count == 2)
            #expect(keys.allSatisfy { $0.hasPrefix("admin:") && $0.contains(":broadcast:") })
            let audit = try await context.audit()
            #expect(audit.map(\.action) == ["admin.broadcast"])
            #expect(audit.first?.details["text"] as? String == "Quiz day <tomorrow> & a *bonus*")

            #expect(try await context.admin("broadcast").hasPrefix("Usage:"))
            #expect(try await context.audit().count == 1)
        }
    }

    // MARK: - pause, resume

    @Test func pauseAndResumeSetTheLearnersStatus() async throws {
        try await Self.withAdmin { context in
            let learnerID = try await context.learner(slack: "U0LEARNER2")
            func status() async throws -> String {
                try await context.postgres.query("SELECT status FROM learners WHERE id = $1", [learnerID])[0]
                    .decode(String.self, "status")
            }
            #expect(try await context.admin("pause <@U0LEARNER2|jordan>").contains("Paused <@U0LEARNER2>"))
            #expect(try await status() == "paused")
            #expect(try await context.admin("resume <@U0LEARNER2>").contains("Resumed <@U0LEARNER2>"))
            #expect(try await status() == "active")
            #expect(try await context.admin("pause <@U0NOBODY1>").contains("isn't enrolled"))
            let audit = try await context.audit()
            #expect(audit.map(\.action) == ["admin.pause", "admin.resume"])
            #expect(audit.map(\.target) == ["U0LEARNER2", "U0LEARNER2"])
            #expect(audit.first?.details["previous"] as? String == "active")
            #expect(context.standIn.calls("chat.postMessage").isEmpty)
        }
    }

    // MARK: - learners

    @Test func learnersListsStatusChannelsAndLastActivity() async throws {
        try await Self.withAdmin { context in
            let active = try await context.learner(slack: "U0LEARNER2")
            try await context.postgres.query(
                "INSERT INTO engagement_events (learner_id, interaction, occurred_at) VALUES ($1, 'message', $2)",
                [active, Date(timeIntervalSince1970: 1_763_900_000)])
            try await context.learner(.sms, "+15551234567", status: "paused")

            let answer = try await context.admin("learners")
            let lines = answer.split(separator: "\n").map(String.init)
            #expect(lines.first?.contains("2 of 2") == true)
            #expect(lines.count == 3)
            #expect(lines[1].contains("`active`") && lines[1].contains("slack U0LEARNER2"))
            #expect(lines[1].contains("last active 2025-11-23 12:13 UTC"))
            #expect(lines[2].contains("`paused`") && lines[2].contains("sms +15551234567"))
            #expect(lines[2].contains("last active never"))
            #expect(try await context.audit().map(\.action) == ["admin.learners"])
        }
    }

    // MARK: - admins

    @Test func adminsCanBeAddedAndRemovedThroughTheAdminsTable() async throws {
        try await Self.withAdmin { context in
            #expect(try await context.admin("stats", as: "U0NEWADMIN").contains("only for the programme's admins"))
            #expect(try await context.admin("admins add <@U0NEWADMIN|casey>") == "<@U0NEWADMIN> is now an admin.")
            let added = try await context.postgres.query(
                "SELECT added_by FROM admins WHERE slack_user_id = 'U0NEWADMIN'")
            #expect(try added.first?.decode(String.self, "added_by") == Self.admin)
            #expect(try await context.admin("stats", as: "U0NEWADMIN").contains("*Learners:*"))
            #expect(try await context.admin("admins").contains("<@U0NEWADMIN>"))
            #expect(try await context.admin("admins add <@U0NEWADMIN>").contains("already an admin"))

            #expect(try await context.admin("admins remove <@U0NEWADMIN>") == "<@U0NEWADMIN> is no longer an admin.")
            #expect(try await context.count("SELECT count(*) FROM admins") == 0)
            #expect(try await context.admin("stats", as: "U0NEWADMIN").contains("only for the programme's admins"))
            #expect(try await context.admin("admins add +15551234567").contains("Admins are Slack users"))

            let audit = try await context.audit()
            #expect(
                audit.map(\.action) == ["admin.admins.add", "admin.stats", "admin.admins.list", "admin.admins.remove"])
            #expect(audit.map(\.actor) == [Self.admin, "U0NEWADMIN", Self.admin, Self.admin])
            #expect(audit[0].target == "U0NEWADMIN")
        }
    }

    @Test func aBootstrapAdminCannotBeRemoved() async throws {
        try await Self.withAdmin { context in
            let answer = try await context.admin("admins remove <@U0ADMIN001>")
            #expect(answer.contains("can't be removed here"))
            #expect(answer.contains("ADMIN_SLACK_USER_IDS"))
            #expect(try await context.admin("stats").contains("*Learners:*"))
            #expect(try await context.audit().map(\.action) == ["admin.stats"])
        }
    }

    // MARK: - help and refusals

    @Test func anUnknownSubcommandAnswersWithTheHelp() async throws {
        try await Self.withAdmin { context in
            let answer = try await context.admin("frobnicate now")
            #expect(answer.contains("I don't know `frobnicate`"))
            let commands = [
                "stats", "enroll @user", "push @user", "broadcast TEXT", "pause @user", "learners", "admins add",
            ]
            for listed in commands {
                #expect(answer.contains(listed), "\(listed)")
            }
            #expect(try await context.admin("").contains("broadcast TEXT"))
            #expect(try await context.count("SELECT count(*) FROM audit_log") == 0)
        }
    }

    @Test func aNonAdminIsRefusedForEverySubcommandAndNothingElseHappens() async throws {
        try await Self.withAdmin { context in
            // Something for every subcommand to change: learners in each state on both channels, an admin added
            // from Slack, an opt-out, today's plan.
            try await context.learner(slack: "U0LEARNER2")
            try await context.learner(slack: "U0LEARNER5", status: "paused")
            try await context.learner(.sms, "+15551234567")
            try await context.postgres.query(
                "INSERT INTO admins (slack_user_id, added_by) VALUES ('U0OTHERADM', $1)", [Self.admin])
            try await context.postgres.query(
                "INSERT INTO opt_outs (channel, address, source) VALUES ('sms', '+15557654321', 'keyword')")
            try await context.dependencies.lessonScheduler.plan()
            // Due in a minute: in Redis's due set, and not yet taken by the delivery worker the commands run.
            try await context.postgres.query(
                "UPDATE lesson_deliveries SET due_at = now() + interval '60 seconds' WHERE status = 'pending'")
            try await context.dependencies.lessonScheduler.reconcileOnce()
            let prefix = context.dependencies.configuration.redisKeyPrefix
            // Slack's request log, the inbox and the refusals queued in the outbox are expected to grow.
            let changing: Set<String> = ["inbound_events", "outbound_messages"]
            let tablesBefore = try await StoreSnapshot.tables(context.postgres, excluding: changing)
            let redisBefore = try await StoreSnapshot.redis(
                context.dependencies.redis, prefix: prefix, ignoring: ["pace:"])
            #expect(tablesBefore["learners"]?.hasPrefix("3:") == true)
            #expect(!redisBefore.isEmpty, "today's lessons are in the due set")

            let subcommands = [
                "stats", "enroll <@U0LEARNER3|sam> apr", "enrol <@U0LEARNER1> apr", "enroll +15551239999",
                "push <@U0LEARNER2>", "push +15551234567", "push all", "broadcast hello everyone <!channel>",
                "pause <@U0LEARNER2>", "resume <@U0LEARNER5>", "learners", "admins", "admins add <@U0LEARNER1>",
                "admins remove <@U0OTHERADM>", "admins remove <@U0ADMIN001>", "help", "", "frobnicate",
                "STATS", "  push   all  ",
            ]
            // The sample form keeps the admin's user_name (alex.chen): only user_id counts. Ids that merely look
            // like an admin's are not one.
            let impostors = ["U0LEARNER1", "u0admin001", "U0ADMIN0011", "U0ADMIN00", "W0ADMIN001"]
            for impostor in impostors {
                for text in subcommands {
                    let answer = try await context.admin(text, as: impostor)
                    #expect(answer == "Sorry, `/learn-admin` is only for the programme's admins.", "\(impostor) \(text)")
                }
            }
            let sent = impostors.count * subcommands.count

            #expect(try await StoreSnapshot.tables(context.postgres, excluding: changing) == tablesBefore)
            #expect(
                try await StoreSnapshot.redis(context.dependencies.redis, prefix: prefix, ignoring: ["pace:"])
                    == redisBefore)
            // Nothing reached Slack but the refusals, and nothing else is queued.
            #expect(Set(context.standIn.calls.map(\.method)) == ["response_url"])
            #expect(context.standIn.calls("response_url").count == sent)
            let queued = try await context.postgres.query("SELECT kind, body::text AS body FROM outbound_messages")
            #expect(queued.count == sent)
            for row in queued {
                #expect(try row.decode(String.self, "kind") == "ephemeral")
                #expect(try row.decode(String.self, "body").contains("only for the programme"))
            }
            #expect(try await context.count("SELECT count(*) FROM inbound_events WHERE status <> 'done'") == 0)
        }
    }
}
