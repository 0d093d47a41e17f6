import Foundation
import Gateway
import HTTPClient
import Logging
import Postgres
import Redis
import ServiceLifecycle
import TestSupport
import Testing

/// The inbox service's start and stop: the HTTP server and the inbox start together, so a webhook may be stored
/// before the writers run.
@Suite struct InboxLifecycleTests {
    @Test func aMessageStoredBeforeTheWritersStartIsWrittenAndAfterShutdownRefused() async throws {
        let schema = try await TestSchema.create()
        let dependencies = try GatewayTestHarness.dependencies(schema: schema)
        try await dependencies.migrator.migrate()
        let inbox = dependencies.inbox
        func message(_ id: String) -> InboundMessage {
            InboundMessage(
                source: .slackEvent, externalID: id, payload: Array(#"{"type":"event_callback"}"#.utf8),
                contentType: "application/json")
        }
        // No writer runs yet: the message waits instead of being refused.
        let early = Task { try await inbox.store(message("EvEARLY")) }
        try await Task.sleep(for: .milliseconds(100))
        let group = ServiceGroup(
            configuration: .init(services: [inbox], gracefulShutdownSignals: [], logger: TestEnvironment.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            guard case .stored = try await early.value else {
                Issue.record("the early message was not stored as new")
                return
            }
            #expect(
                try await dependencies.postgres.query(
                    "SELECT count(*) AS n FROM inbound_events WHERE external_id = 'EvEARLY'")[0].decode(Int.self, "n")
                    == 1)
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        let refused = await #expect(throws: InboxError.self) { try await inbox.store(message("EvLATE")) }
        #expect(refused?.reason == .unavailable)
        await dependencies.postgres.close()
        await dependencies.redis.close()
        await dependencies.httpClient.shutdown()
        await schema.drop()
    }
}
