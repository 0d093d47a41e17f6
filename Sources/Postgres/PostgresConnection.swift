import CLibPQ
import Foundation

/// One libpq connection. Blocking: use it from one thread at a time, off the event loop (the pool runs every
/// call on its thread pool). The `PGconn` is freed exactly once, by `close()` or `deinit`.
package final class PostgresConnection {
    private var handle: OpaquePointer?
    private let configuration: PostgresConfiguration
    /// True while a transaction is open on this connection (set by `transaction`).
    private(set) var inTransaction = false
    /// Set when a pipeline left the protocol in an unknown state: the connection must not be used again.
    private var broken = false

    /// Opens a connection, or throws `connectionFailed` with libpq's reason.
    package init(configuration: PostgresConfiguration) throws(PostgresError) {
        self.configuration = configuration
        self.handle = try Self.connect(configuration)
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Closes the connection; later calls throw `connectionLost`.
    package func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// True when the connection is usable. Reads whatever the server sent meanwhile without blocking, so a
    /// connection the server closed (restart, `pg_terminate_backend`) is noticed before it is used.
    package var isHealthy: Bool {
        guard let handle, !broken else { return false }
        guard PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) == PQTRANS_IDLE else { return false }
        // An idle connection has nothing to read unless the server is closing it (it sends a FATAL error,
        // then EOF). Anything readable means: do not trust this connection.
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        if ready != 0 { return false }
        return true
    }

    /// Runs one parameterised statement and returns its rows. Each distinct statement (SQL and parameter
    /// types) is prepared once per connection and executed by name afterwards, so the server parses and plans
    /// it once instead of on every call.
    @discardableResult
    package func query(_ query: PostgresQuery) throws(PostgresError) -> PostgresRows {
        let handle = try liveHandle()
        let result = try prepare(query, on: handle).call(
            prepared: { PQexecPrepared(handle, $0, $1, $2, $3, $4, 0) },
            unprepared: { PQexecParams(handle, $0, $1, $2, $3, $4, $5, 0) })
        return try consume(result, handle: handle)
    }

    /// Runs `queries` in one transaction, sent together with the BEGIN in one pipeline (one round trip instead
    /// of one per statement), then calls `body` with their rows, in order: the transaction commits when it
    /// returns and rolls back when it throws or a statement failed (that statement's error is thrown; the ones
    /// after it never ran).
    package func transaction<T>(
        pipelining queries: [PostgresQuery], _ body: ([PostgresRows]) throws -> T
    ) throws -> T {
        let handle = try liveHandle()
        // Synchronous calls (PQprepare) are not allowed in pipeline mode: prepare first.
        var statements: [Statement] = []
        for query in queries { statements.append(try prepare(query, on: handle)) }
        // The pipeline sends the BEGIN itself.
        return try finishTransaction { try body(try runPipeline(statements, on: handle)) }
    }

    /// Sends BEGIN and the statements with one sync, and reads every result. Throws the first statement's
    /// error; the transaction is then left aborted for the caller to roll back.
    private func runPipeline(_ statements: [Statement], on handle: OpaquePointer) throws(PostgresError)
        -> [PostgresRows]
    {
        guard PQenterPipelineMode(handle) == 1 else {
            throw PostgresError(code: .server, message: "could not enter pipeline mode: \(Self.errorMessage(handle))")
        }
        defer { PQexitPipelineMode(handle) }
        var sent = PQsendQueryParams(handle, "BEGIN", 0, nil, nil, nil, nil, 0) == 1
        for statement in statements where sent {
            sent =
                statement.call(
                    prepared: { PQsendQueryPrepared(handle, $0, $1, $2, $3, $4, 0) },
                    unprepared: { PQsendQueryParams(handle, $0, $1, $2, $3, $4, $5, 0) }) == 1
        }
        guard sent, PQpipelineSync(handle) == 1 else {
            // The connection is in an unknown state: the pool must replace it.
            let reason = Self.errorMessage(handle)
            broken = true
            throw PostgresError(code: .connectionLost, message: "could not send a pipeline: \(reason)")
        }
        // Each statement's result is followed by NULL; after an error the rest come back PIPELINE_ABORTED;
        // PIPELINE_SYNC ends the pipeline.
        var rows: [PostgresRows] = []
        var failure: PostgresError?
        var emptyReads = 0
        while true {
            guard let result = PQgetResult(handle) else {
                emptyReads += 1
                if emptyReads > 1 {
                    let reason = Self.errorMessage(handle)
                    broken = true
                    throw PostgresError(code: .connectionLost, message: "the pipeline ended early: \(reason)")
                }
                continue
            }
            emptyReads = 0
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            if status == PGRES_PIPELINE_SYNC { break }
            if status == PGRES_PIPELINE_ABORTED { continue }
            if let statementRows = Self.rows(of: result) {
                rows.append(statementRows)
            } else if failure == nil {
                failure = Self.error(from: result, handle: handle)
            }
        }
        if let failure { throw failure }
        // The first result is the BEGIN's.
        return Array(rows.dropFirst())
    }

    /// A statement ready to execute: its prepared name (nil past the cache's size) and text parameters.
    private struct Statement {
        let query: PostgresQuery
        let name: String?
        let values: [String?]
        let types: [UInt32]

        /// Calls libpq's prepared variant (name, count, values, lengths, formats), or past the cache's size its
        /// unprepared one (SQL, count, types, values, lengths, formats), with this statement's parameters.
        func call<R>(
            prepared: (String, Int32, ParameterValues, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> R,
            unprepared: (
                String, Int32, UnsafePointer<UInt32>?, ParameterValues, UnsafePointer<Int32>?,
                UnsafePointer<Int32>?
            ) -> R
        ) -> R {
            let count = Int32(values.count)
            return withParameterArrays(query.binds, texts: values) { pointers, lengths, formats in
                if let name { return prepared(name, count, pointers, lengths, formats) }
                // Past the cache's size: run unprepared rather than grow without bound.
                return types.withUnsafeBufferPointer {
                    unprepared(query.sql, count, $0.baseAddress, pointers, lengths, formats)
                }
            }
        }
    }

    private typealias ParameterValues = UnsafePointer<UnsafePointer<CChar>?>?

    /// Checks the parameters and prepares the statement on this connection the first time it is seen.
    private func prepare(_ query: PostgresQuery, on handle: OpaquePointer) throws(PostgresError) -> Statement {
        let values = query.binds.map(\.textRepresentation)
        // libpq takes parameters as C strings: a NUL would silently cut the value short (so `alice\0x` would
        // match `alice`). Postgres text cannot hold a NUL anyway, so refuse the statement as the server would.
        if let index = values.firstIndex(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError(
                code: .invalidParameter, sqlState: "22021",
                message: "parameter $\(index + 1) contains a NUL character, which Postgres text cannot hold")
        }
        let types = query.binds.map(\.typeOID)
        let key = PreparedKey(sql: query.sql, types: types)
        if let known = prepared[key] { return Statement(query: query, name: known, values: values, types: types) }
        guard prepared.count < Self.maxPreparedStatements else {
            return Statement(query: query, name: nil, values: values, types: types)
        }
        let name = "lg_\(prepared.count + 1)"
        let preparation: OpaquePointer? = types.withUnsafeBufferPointer { typeBuffer in
            PQprepare(handle, name, query.sql, Int32(types.count), typeBuffer.baseAddress)
        }
        _ = try consume(preparation, handle: handle)
        prepared[key] = name
        return Statement(query: query, name: name, values: values, types: types)
    }

    /// Statements prepared on this connection, by SQL and parameter types.
    private var prepared: [PreparedKey: String] = [:]
    /// Most statements prepared on one connection; the gateway uses a few dozen.
    static let maxPreparedStatements = 512

    private struct PreparedKey: Hashable {
        let sql: String
        let types: [UInt32]
    }

    /// Runs SQL with no parameters that may hold several statements (migrations). Never pass user input here.
    package func execute(script sql: String) throws(PostgresError) {
        let handle = try liveHandle()
        _ = try consume(PQexec(handle, sql), handle: handle)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    package func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try execute(script: "BEGIN")
        return try finishTransaction { try body(self) }
    }

    /// Runs `body` in the transaction just begun: COMMIT when it returns, ROLLBACK when it throws.
    private func finishTransaction<T>(_ body: () throws -> T) throws -> T {
        inTransaction = true
        defer { inTransaction = false }
        let value: T
        do {
            value = try body()
        } catch {
            // A lost or broken connection has no transaction left to roll back; the server discards it.
            if !broken { try? execute(script: "ROLLBACK") }
            throw error
        }
        try execute(script: "COMMIT")
        return value
    }

    /// The server's process id for this connection (for tests that terminate it).
    package var backendPID: Int32 {
        handle.map { PQbackendPID($0) } ?? 0
    }

    // MARK: - libpq plumbing

    private func liveHandle() throws(PostgresError) -> OpaquePointer {
        guard let handle else { throw PostgresError(code: .connectionLost, message: "the connection is closed") }
        return handle
    }

    private static func connect(_ configuration: PostgresConfiguration) throws(PostgresError) -> OpaquePointer {
        let keywords = [
            "dbname", "connect_timeout", "options", "application_name", "keepalives", "keepalives_idle",
            "keepalives_interval", "keepalives_count",
        ]
        let values: [String?] = [
            configuration.url,
            String(max(1, (configuration.connectTimeout.milliseconds + 999) / 1000)),
            configuration.sessionOptions,
            configuration.applicationName,
            "1", "30", "10", "3",
        ]
        // expand_dbname=1: the first `dbname` value is parsed as a URL or connection string, and the later
        // keywords override what it says.
        let handle: OpaquePointer? = withCStringArray(keywords.map(Optional.some)) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let handle else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let reason = Self.errorMessage(handle)
            PQfinish(handle)
            throw PostgresError(code: .connectionFailed, message: reason)
        }
        // Server notices (e.g. "relation already exists, skipping") would go to stderr; they are not errors.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        return handle
    }

    private func consume(_ result: OpaquePointer?, handle: OpaquePointer) throws(PostgresError) -> PostgresRows {
        guard let result else {
            throw PostgresError(
                code: PQstatus(handle) == CONNECTION_OK ? .server : .connectionLost,
                message: Self.errorMessage(handle))
        }
        defer { PQclear(result) }
        guard let rows = Self.rows(of: result) else { throw Self.error(from: result, handle: handle) }
        return rows
    }

    /// A successful result's rows (none, with the count changed, for a command); nil for an error.
    private static func rows(of result: OpaquePointer) -> PostgresRows? {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            PostgresRows(columns: [], columnTypes: [], cells: [], affectedRows: affectedRows(result))
        case PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE: copyRows(result)
        default: nil
        }
    }

    private static func copyRows(_ result: OpaquePointer) -> PostgresRows {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var columns = [String]()
        var types = [UInt32]()
        columns.reserveCapacity(columnCount)
        for column in 0..<columnCount {
            columns.append(String(cString: PQfname(result, Int32(column))))
            types.append(PQftype(result, Int32(column)))
        }
        var cells = [[String?]]()
        cells.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values = [String?]()
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    let length = Int(PQgetlength(result, Int32(row), Int32(column)))
                    let pointer = PQgetvalue(result, Int32(row), Int32(column))!
                    values.append(
                        pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
                            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                        })
                }
            }
            cells.append(values)
        }
        return PostgresRows(columns: columns, columnTypes: types, cells: cells, affectedRows: rowCount)
    }

    private static func affectedRows(_ result: OpaquePointer) -> Int {
        guard let tuples = PQcmdTuples(result) else { return 0 }
        return Int(String(cString: tuples)) ?? 0
    }

    private static func error(from result: OpaquePointer, handle: OpaquePointer) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let pointer = PQresultErrorField(result, code) else { return nil }
            return String(cString: pointer)
        }
        let sqlState = field(Int32(UInt8(ascii: "C")))  // PG_DIAG_SQLSTATE
        let primary = field(Int32(UInt8(ascii: "M"))) ?? errorMessage(handle)  // PG_DIAG_MESSAGE_PRIMARY
        let constraint = field(Int32(UInt8(ascii: "n")))  // PG_DIAG_CONSTRAINT_NAME
        let code: PostgresError.Code
        if PQstatus(handle) != CONNECTION_OK {
            code = .connectionLost
        } else if sqlState == "57014" {
            code = .statementTimeout
        } else {
            code = .server
        }
        return PostgresError(code: code, sqlState: sqlState, message: primary, constraint: constraint)
    }

    private static func errorMessage(_ handle: OpaquePointer) -> String {
        guard let message = PQerrorMessage(handle) else { return "unknown libpq error" }
        let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "unknown libpq error" : text
    }
}

@available(*, unavailable)
extension PostgresConnection: Sendable {}

/// Calls `body` with libpq's parameter arrays for `binds`, which live for the call: the values (`texts` as C
/// strings, binary values as their bytes, NULL for SQL NULL), and the lengths and formats, which libpq reads only
/// for binary values (both nil when every value is text).
private func withParameterArrays<R>(
    _ binds: [PostgresValue], texts: [String?],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> R
) -> R {
    guard binds.contains(where: { $0.binaryRepresentation != nil }) else {
        return withCStringArray(texts) { body($0, nil, nil) }
    }
    var lengths = [Int32](repeating: 0, count: binds.count)
    var formats = [Int32](repeating: 0, count: binds.count)
    var owned: [UnsafeMutablePointer<CChar>?] = []
    owned.reserveCapacity(binds.count)
    defer { owned.forEach { free($0) } }
    for (index, bind) in binds.enumerated() {
        if let bytes = bind.binaryRepresentation {
            // malloc, like strdup for the text values, so that one `free` releases both.
            let copy = malloc(max(bytes.count, 1))!
            bytes.withUnsafeBytes { source in
                if let base = source.baseAddress { copy.copyMemory(from: base, byteCount: source.count) }
            }
            owned.append(copy.assumingMemoryBound(to: CChar.self))
            lengths[index] = Int32(bytes.count)
            formats[index] = 1
        } else {
            owned.append(texts[index].map { strdup($0)! })
        }
    }
    return owned.withUnsafeBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { pointers in
            lengths.withUnsafeBufferPointer { lengths in
                formats.withUnsafeBufferPointer { formats in body(pointers, lengths.baseAddress, formats.baseAddress) }
            }
        }
    }
}

/// Calls `body` with a NULL-terminated C array of C strings (NULL entries for nil) that lives for the call.
private func withCStringArray<R>(
    _ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R
) -> R {
    var owned: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0)! } }
    owned.append(nil)
    defer { owned.forEach { free($0) } }
    return owned.withUnsafeMutableBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) {
            body(UnsafePointer($0))
        }
    }
}
