/// A statement and its parameters. The SQL uses `$1`, `$2`… placeholders; values are never spliced into it.
package struct PostgresQuery: Sendable, ExpressibleByStringLiteral {
    package var sql: String
    package var binds: [PostgresValue]

    package init(_ sql: String, _ binds: [any PostgresEncodable] = []) {
        self.sql = sql
        self.binds = binds.map(\.postgresValue)
    }

    package init(sql: String, binds: [PostgresValue]) {
        self.sql = sql
        self.binds = binds
    }

    package init(stringLiteral value: String) {
        self.init(sql: value, binds: [])
    }
}
