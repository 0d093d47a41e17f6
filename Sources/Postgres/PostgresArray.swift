/// Array parameters for set-based statements (`unnest($1::text[])`).
package enum PostgresArray {
    /// A `text[]` parameter in Postgres's array text format; nil elements are SQL NULL.
    package static func text(_ values: [String?]) -> PostgresValue {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(2 + values.reduce(0) { $0 + ($1?.utf8.count ?? 4) + 3 })
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if let value { quote(value, into: &out) } else { out.append(contentsOf: "NULL".utf8) }
        }
        out.append(UInt8(ascii: "}"))
        return .text(String(decoding: out, as: UTF8.self))
    }

    /// An array parameter of any element type in Postgres's array text format (`unnest($1::uuid[])`,
    /// `$2::timestamptz[]`): each element as it would travel alone; `.null` elements are SQL NULL. Elements must
    /// not be `.binary`.
    package static func elements(_ values: [PostgresValue]) -> PostgresValue {
        precondition(!values.contains { $0.binaryRepresentation != nil }, "binary values have no text form")
        return text(values.map(\.textRepresentation))
    }

    /// A `text[]` parameter.
    package static func text(_ values: [String]) -> PostgresValue {
        text(values.map(Optional.some))
    }

    /// A `bytea[]` parameter in Postgres's binary array format: each element travels as its raw bytes, so
    /// neither side hex-encodes or parses a body twice its size.
    package static func bytea(_ values: [[UInt8]]) -> PostgresValue {
        var out: [UInt8] = []
        out.reserveCapacity(20 + values.reduce(0) { $0 + 4 + $1.count })
        func append(_ value: Int32) {
            withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
        }
        // Header: dimensions (an empty array has none), a has-NULLs flag, the element type, then per dimension
        // its length and lower bound.
        append(values.isEmpty ? 0 : 1)
        append(0)
        append(Int32(byteaOID))
        if !values.isEmpty {
            append(Int32(values.count))
            append(1)
        }
        for value in values {
            append(Int32(value.count))
            out.append(contentsOf: value)
        }
        return .binary(typeOID: byteaArrayOID, bytes: out)
    }

    private static let byteaOID: UInt32 = 17
    private static let byteaArrayOID: UInt32 = 1001

    /// Appends an element in double quotes with `\` and `"` escaped, so commas, braces, spaces and the word
    /// NULL stay data. Both are ASCII, which never occurs inside a multi-byte UTF-8 sequence, so escaping works
    /// on bytes.
    private static func quote(_ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }
}
