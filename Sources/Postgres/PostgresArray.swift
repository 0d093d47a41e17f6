/// Array parameters in Postgres's array text format, for set-based statements (`unnest($1::text[])`).
package enum PostgresArray {
    /// A `text[]` parameter; nil elements are SQL NULL.
    package static func text(_ values: [String?]) -> PostgresValue {
        .text("{" + values.map { $0.map(quote) ?? "NULL" }.joined(separator: ",") + "}")
    }

    /// A `text[]` parameter.
    package static func text(_ values: [String]) -> PostgresValue {
        text(values.map(Optional.some))
    }

    /// A `bytea[]` parameter (each element in hex form).
    package static func bytea(_ values: [[UInt8]]) -> PostgresValue {
        let digits = Array("0123456789abcdef".utf8)
        let elements = values.map { bytes -> String in
            var hex: [UInt8] = Array("\"\\\\x".utf8)
            hex.reserveCapacity(bytes.count * 2 + 5)
            for byte in bytes {
                hex.append(digits[Int(byte >> 4)])
                hex.append(digits[Int(byte & 0x0f)])
            }
            hex.append(UInt8(ascii: "\""))
            return String(decoding: hex, as: UTF8.self)
        }
        return .text("{" + elements.joined(separator: ",") + "}")
    }

    /// An element in double quotes with `\` and `"` escaped, so commas, braces, spaces and the word NULL
    /// stay data.
    private static func quote(_ value: String) -> String {
        var out = "\""
        for character in value {
            if character == "\\" || character == "\"" { out.append("\\") }
            out.append(character)
        }
        out.append("\"")
        return out
    }
}
