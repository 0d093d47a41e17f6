import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct PostgresMigratorTests {
    static let migrations = [
        Migration(version: 1, name: "people", sql: "CREATE TABLE people (id serial PRIMARY KEY, name text NOT NULL);"),
        Migration(
            version: 2, name: "people_email",
            sql: "ALTER TABLE people ADD COLUMN email text; CREATE UNIQUE INDEX people_email ON people (email);"),
    ]

    @Test func appliesPendingMigrationsOnceAndInOrder() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool()
        let migrator = PostgresMigrator(pool: pool, migrations: Self.migrations, logger: TestEnvironment.logger)
        #expect(try await migrator.pending() == [1, 2])
        #expect(try await migrator.migrate() == [1, 2])
        #expect(try await migrator.migrate() == [])
        #expect(try await migrator.pending() == [])
        try await pool.query("INSERT INTO people (name, email) VALUES ($1, $2)", ["Ada", "ada@example.com"])
        let versions = try await pool.query("SELECT version, name FROM schema_migrations ORDER BY version")
        #expect(try versions.map { try $0.decode(String.self, "name") } == ["people", "people_email"])
        await pool.close()
        await schema.drop()
    }

    @Test func concurrentReplicasApplyEachMigrationExactlyOnce() async throws {
        let schema = try await TestSchema.create()
        let pools = (0..<4).map { _ in schema.pool(maxConnections: 1) }
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for pool in pools {
                group.addTask {
                    try await PostgresMigrator(pool: pool, migrations: Self.migrations, logger: TestEnvironment.logger)
                        .migrate()
                }
            }
            var all: [Int] = []
            for try await versions in group { all += versions }
            return all
        }
        #expect(applied.sorted() == [1, 2])
        for pool in pools { await pool.close() }
        await schema.drop()
    }

    @Test func failingMigrationRollsBackAndNamesItself() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool()
        let broken =
            Self.migrations + [
                Migration(version: 3, name: "broken", sql: "CREATE TABLE half (n int); SELECT no_such_function();")
            ]
        let migrator = PostgresMigrator(pool: pool, migrations: broken, logger: TestEnvironment.logger)
        let error = try await #require(throws: PostgresError.self) { try await migrator.migrate() }
        #expect(error.code == .migration)
        #expect(error.message.contains("3_broken"))
        // Versions 1 and 2 stay applied; 3's table was rolled back with it.
        #expect(try await migrator.pending() == [3])
        let half = try await pool.query("SELECT to_regclass('half') IS NULL AS gone")
        #expect(try half[0].decode(Bool.self, "gone"))
        await pool.close()
        await schema.drop()
    }

    @Test func loadsNumberedFilesFromAFolderInOrder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "SELECT 2;".write(to: folder.appendingPathComponent("0002_second.sql"), atomically: true, encoding: .utf8)
        try "SELECT 1;".write(to: folder.appendingPathComponent("0001_first.sql"), atomically: true, encoding: .utf8)
        try "notes".write(to: folder.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let loaded = try Migration.load(from: folder)
        #expect(loaded.map(\.version) == [1, 2])
        #expect(loaded.map(\.name) == ["first", "second"])

        try "".write(to: folder.appendingPathComponent("bad.sql"), atomically: true, encoding: .utf8)
        let error = try #require(throws: PostgresError.self) { try Migration.load(from: folder) }
        #expect(error.message.contains("bad.sql"))
    }
}
