import Foundation

/// The rows a statement returned, copied out of libpq's result so they outlive it.
package struct PostgresRows: Sendable, RandomAccessCollection {
    /// Column names in result order.
    package let columns: [String]
    /// Each column's type OID.
    package let columnTypes: [UInt32]
    let cells: [[String?]]
    /// Rows the statement changed (`INSERT`, `UPDATE`, `DELETE`), from the command status.
    package let affectedRows: Int

    init(columns: [String], columnTypes: [UInt32], cells: [[String?]], affectedRows: Int) {
        self.columns = columns
        self.columnTypes = columnTypes
        self.cells = cells
        self.affectedRows = affectedRows
    }

    package var startIndex: Int { cells.startIndex }
    package var endIndex: Int { cells.endIndex }
    package subscript(position: Int) -> PostgresRow {
        PostgresRow(columns: columns, columnTypes: columnTypes, values: cells[position])
    }
}

/// One row: values by column name or position, decoded to Swift types on request.
package struct PostgresRow: Sendable {
    package let columns: [String]
    let columnTypes: [UInt32]
    let values: [String?]

    /// The column's value decoded as `T`. Decoding SQL NULL into a non-optional type throws.
    package func decode<T: PostgresDecodable>(_ type: T.Type = T.self, _ column: String) throws -> T {
        guard let index = columns.firstIndex(of: column) else {
            throw PostgresError(code: .decoding, message: "no column named \(column) in the result")
        }
        return try decode(type, at: index)
    }

    /// The value at `index` decoded as `T`.
    package func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at index: Int) throws -> T {
        guard values.indices.contains(index) else {
            throw PostgresError(
                code: .decoding, message: "column index \(index) out of range (\(values.count) columns)")
        }
        do {
            return try T.decode(postgresText: values[index], typeOID: columnTypes[index])
        } catch let error as PostgresDecodingFailure {
            throw PostgresError(
                code: .decoding,
                message: "column \(columns[index]) (type \(columnTypes[index])) as \(T.self): \(error.reason)")
        }
    }

    /// A JSON column decoded into a `Decodable` type.
    package func decodeJSON<T: Decodable>(_ type: T.Type, _ column: String) throws -> T {
        let text: String = try decode(String.self, column)
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw PostgresError(code: .decoding, message: "column \(column) is not JSON for \(T.self)")
        }
    }
}

/// Why a value could not be decoded (wrapped into a `PostgresError` with the column's name).
package struct PostgresDecodingFailure: Error {
    package let reason: String
    package init(_ reason: String) { self.reason = reason }
}

/// Types a column can be decoded into from Postgres's text output format.
package protocol PostgresDecodable: Sendable {
    /// Decodes a column's text (`nil` for SQL NULL) of the given type OID.
    static func decode(postgresText text: String?, typeOID: UInt32) throws(PostgresDecodingFailure) -> Self
}

extension PostgresDecodable {
    static func required(_ text: String?) throws(PostgresDecodingFailure) -> String {
        guard let text else { throw PostgresDecodingFailure("NULL where a value was required") }
        return text
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    package static func decode(postgresText text: String?, typeOID: UInt32) throws(PostgresDecodingFailure) -> Self {
        guard let text else { return nil }
        return try Wrapped.decode(postgresText: text, typeOID: typeOID)
    }
}

extension String: PostgresDecodable {
    package static func decode(postgresText text: String?, typeOID: UInt32) throws(PostgresDecodingFailure) -> String {
        try required(text)
    }
}

extension Int64: PostgresDecodable {
    package static func decode(postgresText text: String?, typeOID: UInt32) throws(PostgresDecodingFailure) -> Int64 {
        let text = try required(text)
        guard let value = Int64(text) else { throw PostgresDecodingFailure("not an integer") }
        return value
    }
}

extension Int: PostgresDecodable {
    package static func decode(postgresText text: String?, typeOID: UInt32) throws(PostgresDecodingFailure) -> Int {
        Int(try Int64.decode(postgresText: text, typeOID: typeOID))
    }
}

extension Int32: PostgresDecodable {
    package static func decode(postgresText text: String?, typeOID: UInt32) throws(PostgresDecodingFailure) -> Int32 {
        let value = try Int64.decode(postgresText: text, typeOID: typeOID)
        guard let narrowed = Int32(exactly: value) else { throw PostgresDecodingFailure("out of Int32 range") }
        return narrowed
    }
}

extension Double: PostgresDecodable {
    package static func decode(postgresText text: String?, typeOID: UInt32) throws(PostgresDecodingFailure) -> Double {
        let text = try required(text)
        guard let value = Double(text) else { throw PostgresDecodingFailure("not a number") }
        return value
    }
}

extension Bool: PostgresDecodable {
    package static func decode(postgresText text: String?, typeOID: UInt32) throws(PostgresDecodingFailure) -> Bool {
        switch try required(text) {
        case "t", "true": return true
        case "f", "false": return false
        default: throw PostgresDecodingFailure("not a boolean")
        }
    }
}

extension Date: PostgresDecodable {
    package static func decode(postgresText text: String?, typeOID: UInt32) throws(PostgresDecodingFailure) -> Date {
        guard let date = PostgresTimestamp.parse(try required(text)) else {
            throw PostgresDecodingFailure("not a timestamp in ISO format")
        }
        return date
    }
}

extension UUID: PostgresDecodable {
    package static func decode(postgresText text: String?, typeOID: UInt32) throws(PostgresDecodingFailure) -> UUID {
        guard let uuid = UUID(uuidString: try required(text)) else { throw PostgresDecodingFailure("not a UUID") }
        return uuid
    }
}

extension Array: PostgresDecodable where Element == UInt8 {
    /// Decodes `bytea` in hex output format (`\x0a1b…`).
    package static func decode(postgresText text: String?, typeOID: UInt32) throws(PostgresDecodingFailure) -> [UInt8] {
        let text = try required(text)
        guard text.hasPrefix("\\x") else { throw PostgresDecodingFailure("bytea not in hex format") }
        let hex = Array(text.utf8.dropFirst(2))
        guard hex.count % 2 == 0 else { throw PostgresDecodingFailure("odd-length bytea hex") }
        var bytes = [UInt8]()
        bytes.reserveCapacity(hex.count / 2)
        var index = 0
        while index < hex.count {
            guard let high = hexValue(hex[index]), let low = hexValue(hex[index + 1]) else {
                throw PostgresDecodingFailure("invalid bytea hex digit")
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }
}
