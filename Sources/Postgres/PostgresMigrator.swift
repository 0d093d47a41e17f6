import Foundation
import Logging

/// One schema change: an ordered SQL file such as `0001_initial.sql`.
package struct Migration: Sendable, Equatable {
    /// The number that orders migrations; unique.
    package let version: Int
    /// The descriptive part of the file name.
    package let name: String
    package let sql: String

    package init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Reads every `NNNN_name.sql` file in `directory`, ordered by version. Other files are ignored; a
    /// duplicate version or an unreadable file throws, naming the file.
    package static func load(from directory: URL) throws -> [Migration] {
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        } catch {
            throw PostgresError(code: .migration, message: "cannot read the migrations folder \(directory.path)")
        }
        var migrations: [Migration] = []
        for file in files where file.pathExtension == "sql" {
            let base = file.deletingPathExtension().lastPathComponent
            guard let underscore = base.firstIndex(of: "_"), let version = Int(base[..<underscore]) else {
                throw PostgresError(
                    code: .migration,
                    message: "migration file \(file.lastPathComponent) must be named NNNN_description.sql")
            }
            guard let sql = try? String(contentsOf: file, encoding: .utf8) else {
                throw PostgresError(code: .migration, message: "cannot read migration file \(file.lastPathComponent)")
            }
            if let clash = migrations.first(where: { $0.version == version }) {
                throw PostgresError(
                    code: .migration,
                    message: "migrations \(clash.name) and \(file.lastPathComponent) share version \(version)")
            }
            migrations.append(
                Migration(version: version, name: String(base[base.index(after: underscore)...]), sql: sql))
        }
        return migrations.sorted { $0.version < $1.version }
    }
}

/// Applies migrations in order, each in its own transaction, recorded in `schema_migrations`. A session-level
/// advisory lock (keyed by the current schema) makes concurrent runs from several replicas wait for each other
/// instead of racing; the second run finds nothing left to do.
package struct PostgresMigrator: Sendable {
    private let pool: PostgresConnectionPool
    private let migrations: [Migration]
    private let logger: Logger

    package init(pool: PostgresConnectionPool, migrations: [Migration], logger: Logger) {
        self.pool = pool
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies what is pending and returns the versions it applied (empty when the schema was current).
    @discardableResult
    package func migrate() async throws -> [Int] {
        let migrations = self.migrations
        let logger = self.logger
        return try await pool.withConnection { connection in
            let lockKey = "SELECT hashtext('learning-gateway/migrations/' || current_schema())::bigint"
            try connection.query(PostgresQuery("SELECT pg_advisory_lock((\(lockKey)))"))
            defer { _ = try? connection.query(PostgresQuery("SELECT pg_advisory_unlock((\(lockKey)))")) }
            try connection.execute(
                script: """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version integer PRIMARY KEY,
                        name text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """)
            let applied = Set(
                try connection.query("SELECT version FROM schema_migrations").map {
                    try $0.decode(Int.self, "version")
                })
            var done: [Int] = []
            for migration in migrations where !applied.contains(migration.version) {
                do {
                    try connection.transaction { connection in
                        try connection.execute(script: migration.sql)
                        try connection.query(
                            PostgresQuery(
                                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                                [migration.version, migration.name]))
                    }
                } catch let error as PostgresError {
                    throw PostgresError(
                        code: .migration, sqlState: error.sqlState,
                        message: "migration \(migration.version)_\(migration.name) failed: \(error.message)")
                }
                logger.info(
                    "applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                done.append(migration.version)
            }
            return done
        }
    }

    /// Versions known to the code but not yet applied to the database (what `/ready` checks).
    package func pending() async throws -> [Int] {
        let known = migrations.map(\.version)
        let rows: PostgresRows
        do {
            rows = try await pool.query("SELECT version FROM schema_migrations")
        } catch let error as PostgresError where error.sqlState == "42P01" {
            return known  // undefined_table: nothing has been applied yet
        }
        let applied = Set(try rows.map { try $0.decode(Int.self, "version") })
        return known.filter { !applied.contains($0) }
    }
}
