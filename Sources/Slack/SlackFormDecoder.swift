/// Decodes `application/x-www-form-urlencoded` bodies (slash commands, interactions): `+` is a space,
/// `%XX` a byte, and the result must be UTF-8.
package enum SlackFormDecoder {
    package struct MalformedForm: Error, Equatable, CustomStringConvertible {
        package let reason: String
        package var description: String { "malformed form body: \(reason)" }
    }

    /// Name-value pairs in body order.
    package static func decode(_ body: [UInt8]) throws(MalformedForm) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for part in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let pieces = part.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = try unescape(pieces[0])
            let value = pieces.count > 1 ? try unescape(pieces[1]) : ""
            pairs.append((name, value))
        }
        return pairs
    }

    /// The first value for each name.
    package static func fields(_ body: [UInt8]) throws(MalformedForm) -> [String: String] {
        firstValues(try decode(body))
    }

    /// The first value for each name of decoded `pairs`.
    package static func firstValues(_ pairs: [(name: String, value: String)]) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in pairs where fields[pair.name] == nil {
            fields[pair.name] = pair.value
        }
        return fields
    }

    private static func unescape(_ bytes: ArraySlice<UInt8>) throws(MalformedForm) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2])
                else { throw MalformedForm(reason: "invalid percent escape") }
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        guard let text = String(validating: out, as: UTF8.self) else {
            throw MalformedForm(reason: "not UTF-8")
        }
        return text
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }
}
