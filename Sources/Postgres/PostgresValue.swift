import Foundation

/// A statement parameter. Parameters travel separately from the SQL text (`$1`, `$2`…), so no value can
/// change the meaning of a statement.
package enum PostgresValue: Sendable, Equatable {
    case null
    case text(String)
    case integer(Int64)
    case double(Double)
    case bool(Bool)
    case timestamp(Date)
    case uuid(UUID)
    /// JSON text, sent as `jsonb`.
    case json(String)
    case bytes([UInt8])
    /// A value already in Postgres's binary format for the type `typeOID` (such as a whole array), sent as
    /// binary so the server reads it as it is instead of parsing text.
    case binary(typeOID: UInt32, bytes: [UInt8])

    /// The parameter's type OID, so the server need not guess (0 lets it infer from context).
    var typeOID: UInt32 {
        switch self {
        case .null, .text: 0
        case .integer: 20  // int8
        case .double: 701  // float8
        case .bool: 16
        case .timestamp: 1184  // timestamptz
        case .uuid: 2950
        case .json: 3802  // jsonb
        case .bytes: 17  // bytea
        case .binary(let typeOID, _): typeOID
        }
    }

    /// The parameter in Postgres's text input format, or nil for SQL NULL and binary values.
    var textRepresentation: String? {
        switch self {
        case .null, .binary: nil
        case .text(let value): value
        case .integer(let value): String(value)
        case .double(let value):
            value.isFinite ? "\(value)" : (value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity"))
        case .bool(let value): value ? "t" : "f"
        case .timestamp(let value): PostgresTimestamp.format(value)
        case .uuid(let value): value.uuidString
        case .json(let value): value
        case .bytes(let value): "\\x" + value.map { String(format: "%02x", $0) }.joined()
        }
    }

    /// The parameter's bytes when it travels in binary format, else nil.
    var binaryRepresentation: [UInt8]? {
        if case .binary(_, let bytes) = self { return bytes }
        return nil
    }
}

/// Types that can be bound as a statement parameter.
package protocol PostgresEncodable: Sendable {
    var postgresValue: PostgresValue { get }
}

extension String: PostgresEncodable { package var postgresValue: PostgresValue { .text(self) } }
extension Substring: PostgresEncodable { package var postgresValue: PostgresValue { .text(String(self)) } }
extension Int: PostgresEncodable { package var postgresValue: PostgresValue { .integer(Int64(self)) } }
extension Int64: PostgresEncodable { package var postgresValue: PostgresValue { .integer(self) } }
extension Int32: PostgresEncodable { package var postgresValue: PostgresValue { .integer(Int64(self)) } }
extension Double: PostgresEncodable { package var postgresValue: PostgresValue { .double(self) } }
extension Bool: PostgresEncodable { package var postgresValue: PostgresValue { .bool(self) } }
extension Date: PostgresEncodable { package var postgresValue: PostgresValue { .timestamp(self) } }
extension UUID: PostgresEncodable { package var postgresValue: PostgresValue { .uuid(self) } }
extension PostgresValue: PostgresEncodable { package var postgresValue: PostgresValue { self } }
extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    package var postgresValue: PostgresValue { self?.postgresValue ?? .null }
}

extension PostgresValue {
    /// A JSON parameter from an `Encodable` value.
    package static func jsonEncoded(_ value: some Encodable) throws -> PostgresValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        return .json(String(decoding: data, as: UTF8.self))
    }
}
