/// Strict parser for the `application/x-www-form-urlencoded` bodies Twilio posts to webhooks.
///
/// Pairs are separated by `&`; a pair without `=` has an empty value and empty pairs (`a=1&&b=2`) are skipped, as
/// the WHATWG URL standard does. Unlike that standard, a malformed percent escape or a value that is not UTF-8 is
/// an error rather than being passed through, so that the caller can answer 400 instead of acting on a mangled
/// message.
package enum TwilioFormParser {
    /// The name/value pairs of `body` in the order they appear, with `+` read as a space and percent escapes decoded.
    package static func parse(_ body: some Collection<UInt8>) throws(SMSError) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for (index, pair) in Array(body).split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true)
            .enumerated()
        {
            let name: ArraySlice<UInt8>
            let value: ArraySlice<UInt8>
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                name = pair[pair.startIndex..<equals]
                value = pair[(equals + 1)...]
            } else {
                name = pair
                value = []
            }
            pairs.append((try decode(name, pair: index), try decode(value, pair: index)))
        }
        return pairs
    }

    /// The parameters of a URL's query string (the part after `?`, before any `#`), or `[]` when it has none.
    package static func queryParameters(of url: String) throws(SMSError) -> [(String, String)] {
        guard let questionMark = url.utf8.firstIndex(of: UInt8(ascii: "?")) else { return [] }
        let query = url.utf8[url.utf8.index(after: questionMark)...].prefix { $0 != UInt8(ascii: "#") }
        return try parse(query)
    }

    /// One name or value: `+` to space, `%XX` to a byte, then the bytes as UTF-8.
    private static func decode(_ bytes: ArraySlice<UInt8>, pair: Int) throws(SMSError) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
                index += 1
            case UInt8(ascii: "%"):
                guard index + 2 < bytes.endIndex else {
                    throw SMSError(.malformedForm, message: "truncated percent escape in pair \(pair + 1)")
                }
                guard let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else {
                    throw SMSError(.malformedForm, message: "invalid percent escape in pair \(pair + 1)")
                }
                output.append(high << 4 | low)
                index += 3
            default:
                output.append(byte)
                index += 1
            }
        }
        guard let text = String(validating: output, as: UTF8.self) else {
            throw SMSError(.malformedForm, message: "pair \(pair + 1) is not valid UTF-8")
        }
        return text
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
