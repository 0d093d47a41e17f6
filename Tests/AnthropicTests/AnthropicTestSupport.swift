import Anthropic
import Foundation
import HTTPClient
import Learning
import Postgres
import Synchronization
import TestSupport
import Testing

/// A clock tests move by hand.
final class FakeWallClock: WallClock {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(seconds: Double) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// Paths in the repository, found from this file.
enum RepositoryPaths {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
    static var migrations: URL { root.appendingPathComponent("Sources/Gateway/Migrations") }
    static var curriculum: URL { root.appendingPathComponent("bots/curriculum") }
}

/// The API key the tests configure; no error description or log may contain it.
let testAPIKey = "sk-ant-test-4f9c2e7a-SECRET"

/// The six tool names, in the toolbox's order.
let sixToolNames = [
    "assess_knowledge", "generate_adaptive_lesson", "create_practice_scenario", "evaluate_quiz_response",
    "get_learning_path", "track_engagement",
]

/// A fresh migrated schema with the bundled curriculum synced, a store over it and a fake clock.
struct AgentDatabase {
    let schema: TestSchema
    let pool: PostgresConnectionPool
    let store: PostgresLearningStore
    let clock: FakeWallClock
    let curriculum: CurriculumPack

    static func make() async throws -> AgentDatabase {
        let schema = try await TestSchema.create()
        let pool = schema.pool()
        do {
            let migrator = PostgresMigrator(
                pool: pool, migrations: try Migration.load(from: RepositoryPaths.migrations),
                logger: TestEnvironment.logger)
            try await migrator.migrate()
            let pack = try CurriculumLoader().load(from: RepositoryPaths.curriculum)
            try await CurriculumSync(pool: pool).sync(pack)
            return AgentDatabase(
                schema: schema, pool: pool, store: PostgresLearningStore(pool: pool), clock: FakeWallClock(),
                curriculum: pack)
        } catch {
            await pool.close()
            await schema.drop()
            throw error
        }
    }

    func orchestrator() -> AgentOrchestrator {
        AgentOrchestrator(curriculum: curriculum, store: store, clock: clock, logger: TestEnvironment.logger)
    }

    /// The adaptive agent over this database with Claude at `baseURL` (the stand-in) through `transport`.
    func agent(
        baseURL: String?, transport: any HTTPTransport, options: AdaptiveAgent.Options = .init()
    ) throws -> AdaptiveAgent {
        let anthropic = baseURL.map { AnthropicConfiguration(apiKey: testAPIKey, baseURL: $0) }
        return try AdaptiveAgent(
            orchestrator: orchestrator(), store: store, anthropic: anthropic, transport: transport, options: options,
            clock: clock, logger: TestEnvironment.logger)
    }

    func learner(_ name: String) async throws -> UUID {
        try await store.resolve(channel: .api, externalID: name)
    }

    func count(_ sql: String, _ binds: [any PostgresEncodable] = []) async throws -> Int {
        try await pool.query(sql, binds)[0].decode(Int.self, at: 0)
    }

    func interactions(of learner: UUID) async throws -> [String] {
        let rows = try await pool.query(
            "SELECT interaction FROM engagement_events WHERE learner_id = $1 ORDER BY id", [learner])
        return try rows.map { try $0.decode(String.self, "interaction") }
    }

    func close() async {
        await pool.close()
        await schema.drop()
    }
}

/// Runs `body` with a fresh database, a libcurl client and a running Messages API stand-in; always cleans up.
func withAgentFixture(
    _ body: (AgentDatabase, AnthropicStandIn, String, CurlHTTPClient) async throws -> Void
) async throws {
    let database = try await AgentDatabase.make()
    let client = CurlHTTPClient()
    let standIn = AnthropicStandIn()
    do {
        try await standIn.run { baseURL in
            try await body(database, standIn, baseURL, client)
        }
    } catch {
        await client.shutdown()
        await database.close()
        throw error
    }
    await client.shutdown()
    await database.close()
}

extension AdaptiveAgent {
    /// One text turn from `learner` on the API channel.
    func say(_ text: String, as learner: String) async throws -> AgentReply {
        try await handle(AgentInput(learnerID: learner, channel: .api, text: text))
    }
}

/// The tests that use Postgres and the stand-in, one at a time (migrations on two cores are slow enough).
@Suite(.serialized) enum AnthropicDatabaseBacked {}
