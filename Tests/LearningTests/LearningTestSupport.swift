import Foundation
import Learning
import Postgres
import Synchronization
import TestSupport
import Testing

/// A clock tests move by hand.
final class FakeClock: WallClock {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(days: Double) {
        current.withLock { $0 = $0.addingTimeInterval(days * 86_400) }
    }

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

/// A fresh migrated schema with the fixture curriculum synced, a store over it and a fake clock.
struct LearningDatabase {
    let schema: TestSchema
    let pool: PostgresConnectionPool
    let store: PostgresLearningStore
    let clock: FakeClock
    let curriculum: CurriculumPack

    static func make(curriculum: CurriculumPack? = nil) async throws -> LearningDatabase {
        let schema = try await TestSchema.create()
        let pool = schema.pool()
        do {
            let migrator = PostgresMigrator(
                pool: pool, migrations: try Migration.load(from: RepositoryPaths.migrations),
                logger: TestEnvironment.logger)
            try await migrator.migrate()
            let pack = try curriculum ?? FixtureCurriculum.pack()
            try await CurriculumSync(pool: pool).sync(pack)
            return LearningDatabase(
                schema: schema, pool: pool, store: PostgresLearningStore(pool: pool), clock: FakeClock(),
                curriculum: pack)
        } catch {
            await pool.close()
            await schema.drop()
            throw error
        }
    }

    var toolbox: LearningToolbox { LearningToolbox(curriculum: curriculum, store: store, clock: clock) }

    func orchestrator() -> AgentOrchestrator {
        AgentOrchestrator(curriculum: curriculum, store: store, clock: clock, logger: TestEnvironment.logger)
    }

    func newLearner(_ name: String = UUID().uuidString) async throws -> UUID {
        try await store.resolve(channel: .api, externalID: name)
    }

    func count(_ sql: String, _ binds: [any PostgresEncodable] = []) async throws -> Int {
        try await pool.query(sql, binds)[0].decode(Int.self, at: 0)
    }

    func close() async {
        await pool.close()
        await schema.drop()
    }
}

/// Runs `body` with a fresh database and always drops it.
func withLearningDatabase(
    curriculum: CurriculumPack? = nil, _ body: (LearningDatabase) async throws -> Void
) async throws {
    let database = try await LearningDatabase.make(curriculum: curriculum)
    do {
        try await body(database)
    } catch {
        await database.close()
        throw error
    }
    await database.close()
}

/// A small valid curriculum written as files, and helpers to break it.
enum FixtureCurriculum {
    /// Topics, in order, with lesson ids per difficulty.
    static let layout: [(slug: String, title: String, lessons: [(String, String)])] = [
        (
            "apr", "APR",
            [
                ("apr-easy-1", "easy"), ("apr-easy-2", "easy"), ("apr-medium-1", "medium"),
                ("apr-hard-1", "hard"),
            ]
        ),
        (
            "interest", "Interest",
            [
                ("interest-easy-1", "easy"), ("interest-medium-1", "medium"),
                ("interest-hard-1", "hard"),
            ]
        ),
        (
            "rewards", "Rewards",
            [
                ("rewards-easy-1", "easy"), ("rewards-medium-1", "medium"),
                ("rewards-hard-1", "hard"),
            ]
        ),
    ]

    /// The quiz of every fixture lesson: option `i` reads "<id> option <letter>", correct index 1 (B).
    static func lesson(_ id: String, _ difficulty: String) -> [String: Any] {
        [
            "id": id, "difficulty": difficulty, "title": "Title of \(id)",
            "content": "Lesson body of \(id) in a few words.",
            "key_points": ["First point", "Second point", "Third point"],
            "scenario": "A scenario for \(id).",
            "quiz": [
                "question": "Question of \(id)?",
                "options": ["\(id) option a", "\(id) option b", "\(id) option c", "\(id) option d"],
                "correct_index": 1, "explanation": "Explanation of \(id).",
            ] as [String: Any],
        ]
    }

    static func topic(_ slug: String) -> [String: Any] {
        let entry = layout.first { $0.slug == slug }!
        return [
            "topic": slug, "title": entry.title, "summary": "Summary of \(entry.title).",
            "lessons": entry.lessons.map { lesson($0.0, $0.1) },
        ]
    }

    /// Writes the fixture pack into a new temporary folder, after letting `edit` change the topic files.
    static func write(edit: (inout [String: [String: Any]]) -> Void = { _ in }) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("curriculum-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("topics"), withIntermediateDirectories: true)
        let pack: [String: Any] = [
            "name": "fixture", "title": "Fixture pack", "version": "1", "topics": layout.map(\.slug),
        ]
        try JSONSerialization.data(withJSONObject: pack).write(to: folder.appendingPathComponent("pack.json"))
        var topics = Dictionary(uniqueKeysWithValues: layout.map { ($0.slug, topic($0.slug)) })
        edit(&topics)
        for (slug, body) in topics {
            try JSONSerialization.data(withJSONObject: body)
                .write(to: folder.appendingPathComponent("topics/\(slug).json"))
        }
        return folder
    }

    static func pack() throws -> CurriculumPack {
        let folder = try write()
        defer { try? FileManager.default.removeItem(at: folder) }
        return try CurriculumLoader().load(from: folder)
    }
}

/// The tests that use Postgres, run one at a time. Each migrates a schema of its own; running dozens of
/// migrations at once on a two-core machine starves the timing-sensitive tests of other modules.
@Suite(.serialized) enum DatabaseBacked {}
