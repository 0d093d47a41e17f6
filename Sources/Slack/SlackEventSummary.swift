import Foundation

/// What the events route needs of an Events API body before it answers: the envelope's type, the challenge of a
/// `url_verification`, and for an `event_callback` its event id and the inner event's user and channel.
///
/// `init(body:)` gives the answer decoding the whole `SlackEventEnvelope` with `JSONDecoder` gives, without
/// building the envelope for the usual body. A strict scan of the bytes (`SlackEventScanner`) settles bodies that
/// are plain: valid JSON, every envelope and event field the decoder would read of the expected JSON type, the
/// strings the route uses free of escapes, no name repeated in the envelope or the event. Anything else (invalid
/// or unusual JSON, a field of another type, a repeated name, an unpaired surrogate escape) goes to the decoder,
/// which keeps the last word on what is accepted.
package struct SlackEventSummary: Sendable, Equatable {
    /// `url_verification`, `event_callback`, `app_rate_limited`, ...
    package var type: String
    package var challenge: String?
    package var eventID: String?
    /// True when the body has an `event` (one the decoder reads as a `SlackEvent`).
    package var hasEvent: Bool
    package var eventUser: String?
    package var eventChannel: String?

    package init(
        type: String, challenge: String? = nil, eventID: String? = nil, hasEvent: Bool = false,
        eventUser: String? = nil, eventChannel: String? = nil
    ) {
        self.type = type
        self.challenge = challenge
        self.eventID = eventID
        self.hasEvent = hasEvent
        self.eventUser = eventUser
        self.eventChannel = eventChannel
    }

    /// The summary of a decoded envelope.
    package init(envelope: SlackEventEnvelope) {
        self.init(
            type: envelope.type, challenge: envelope.challenge, eventID: envelope.eventID,
            hasEvent: envelope.event != nil, eventUser: envelope.event?.user, eventChannel: envelope.event?.channel)
    }

    /// Reads an Events API body; throws where `JSONDecoder` cannot decode it as a `SlackEventEnvelope`.
    package init(body: [UInt8]) throws {
        if let summary = SlackEventScanner.summary(of: body) {
            self = summary
        } else {
            self.init(envelope: try JSONDecoder().decode(SlackEventEnvelope.self, from: Data(body)))
        }
    }
}

/// The strict scan behind `SlackEventSummary`: RFC 8259 JSON only (no trailing commas, leading zeros, byte order
/// mark or invalid UTF-8, nesting up to `maxDepth`), and nil for anything it does not settle, so that the caller
/// asks the decoder. Being stricter than the decoder is safe; accepting what the decoder refuses, or reading a
/// value differently, is not, and the unit tests and the SlackEventsFuzzer compare the two.
package enum SlackEventScanner {
    /// Deeper bodies are left to the decoder (Slack's nest about five levels).
    static let maxDepth = 64

    /// The summary of `body`, or nil when the scan does not settle it.
    package static func summary(of body: [UInt8]) -> SlackEventSummary? {
        body.withUnsafeBufferPointer { bytes in
            var reader = Reader(bytes: bytes)
            return reader.envelope()
        }
    }

    /// What a scanned value was, for the members whose type matters.
    private enum Value {
        /// A string's content (between the quotes) and whether it holds escapes.
        case string(Range<Int>, escaped: Bool)
        /// An integer literal that fits in `Int64` (no fraction or exponent).
        case integer
        case otherNumber
        case object
        case array
        case bool
        case null
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        // MARK: The two objects whose members matter

        mutating func envelope() -> SlackEventSummary? {
            skipWhitespace()
            guard peek() == UInt8(ascii: "{") else { return nil }
            var type: String?
            var challenge: String?
            var eventID: String?
            var event: (user: String?, channel: String?)??
            let complete = members(readNames: true) { reader, name in
                if reader.is(name, "type") {
                    guard case .string(let range, escaped: false)? = reader.value(depth: 1) else { return false }
                    type = reader.string(range)
                } else if reader.is(name, "challenge") {
                    guard let value = reader.plainStringOrNull(depth: 1) else { return false }
                    challenge = value
                } else if reader.is(name, "event_id") {
                    guard let value = reader.plainStringOrNull(depth: 1) else { return false }
                    eventID = value
                } else if reader.is(name, "team_id") || reader.is(name, "api_app_id") {
                    guard reader.isStringOrNull(reader.value(depth: 1)) else { return false }
                } else if reader.is(name, "event_time") {
                    switch reader.value(depth: 1) {
                    case .integer?, .null?: break
                    default: return false
                    }
                } else if reader.is(name, "event") {
                    reader.skipWhitespace()
                    if reader.peek() == UInt8(ascii: "{") {
                        guard let inner = reader.event() else { return false }
                        event = .some(inner)
                    } else {
                        guard case .null? = reader.value(depth: 1) else { return false }
                        event = .some(nil)
                    }
                } else {
                    guard reader.value(depth: 1) != nil else { return false }
                }
                return true
            }
            guard complete, let type else { return nil }
            skipWhitespace()
            guard index == bytes.count else { return nil }
            let inner = event ?? nil
            return SlackEventSummary(
                type: type, challenge: challenge, eventID: eventID, hasEvent: inner != nil, eventUser: inner?.user,
                eventChannel: inner?.channel)
        }

        /// The `event` object: its `type` must be a string, the other fields `SlackEvent` reads strings or null.
        mutating func event() -> (user: String?, channel: String?)? {
            var hasType = false
            var user: String?
            var channel: String?
            let complete = members(readNames: true) { reader, name in
                if reader.is(name, "type") {
                    guard case .string? = reader.value(depth: 2) else { return false }
                    hasType = true
                } else if reader.is(name, "user") {
                    guard let value = reader.plainStringOrNull(depth: 2) else { return false }
                    user = value
                } else if reader.is(name, "channel") {
                    guard let value = reader.plainStringOrNull(depth: 2) else { return false }
                    channel = value
                } else if Self.otherEventStrings.contains(where: { reader.is(name, $0) }) {
                    guard reader.isStringOrNull(reader.value(depth: 2)) else { return false }
                } else {
                    guard reader.value(depth: 2) != nil else { return false }
                }
                return true
            }
            guard complete, hasType else { return nil }
            return (user, channel)
        }

        /// The other fields `SlackEvent` decodes, each a string or null.
        static let otherEventStrings: [StaticString] = [
            "channel_type", "text", "ts", "thread_ts", "bot_id", "subtype", "tab",
        ]

        /// Reads an object's members, calling `member` with each name's content positioned before its value;
        /// false when the scan does not settle the object. With `readNames`, names must be free of escapes and
        /// must not repeat (the decoder would read the first of two); below the envelope and the event, names are
        /// not read.
        mutating func members(readNames: Bool, _ member: (inout Reader, Range<Int>) -> Bool) -> Bool {
            guard take(UInt8(ascii: "{")) else { return false }
            skipWhitespace()
            if take(UInt8(ascii: "}")) { return true }
            var names: [Range<Int>] = []
            while true {
                guard case .string(let range, let escaped)? = scalar() else { return false }
                skipWhitespace()
                guard take(UInt8(ascii: ":")) else { return false }
                if readNames {
                    guard !escaped, !names.contains(where: { equal($0, range) }) else { return false }
                    names.append(range)
                }
                guard member(&self, range) else { return false }
                skipWhitespace()
                if take(UInt8(ascii: ",")) {
                    skipWhitespace()
                    continue
                }
                return take(UInt8(ascii: "}"))
            }
        }

        mutating func plainStringOrNull(depth: Int) -> String?? {
            switch value(depth: depth) {
            case .string(let range, escaped: false)?: .some(string(range))
            case .null?: .some(nil)
            default: nil
            }
        }

        func isStringOrNull(_ value: Value?) -> Bool {
            switch value {
            case .string?, .null?: true
            default: false
            }
        }

        // MARK: Any JSON value

        /// Scans one value (after white space), or nil when the scan does not settle it.
        mutating func value(depth: Int) -> Value? {
            skipWhitespace()
            guard let byte = peek() else { return nil }
            switch byte {
            case UInt8(ascii: "{"):
                guard depth < maxDepth else { return nil }
                let complete = members(readNames: false) { reader, _ in reader.value(depth: depth + 1) != nil }
                return complete ? .object : nil
            case UInt8(ascii: "["):
                guard depth < maxDepth else { return nil }
                index += 1
                skipWhitespace()
                if take(UInt8(ascii: "]")) { return .array }
                while true {
                    guard value(depth: depth + 1) != nil else { return nil }
                    skipWhitespace()
                    if take(UInt8(ascii: ",")) { continue }
                    return take(UInt8(ascii: "]")) ? .array : nil
                }
            default:
                return scalar()
            }
        }

        /// A string, number or literal.
        mutating func scalar() -> Value? {
            skipWhitespace()
            guard let byte = peek() else { return nil }
            switch byte {
            case UInt8(ascii: "\""): return stringValue()
            case UInt8(ascii: "t"): return literal("true") ? .bool : nil
            case UInt8(ascii: "f"): return literal("false") ? .bool : nil
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
            default: return nil
            }
        }

        mutating func stringValue() -> Value? {
            index += 1  // the opening quote
            let start = index
            var escaped = false
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    let content = start..<index
                    index += 1
                    return .string(content, escaped: escaped)
                case UInt8(ascii: "\\"):
                    escaped = true
                    guard escape() else { return nil }
                case 0..<0x20:
                    return nil
                case 0x80...:
                    guard utf8Sequence() else { return nil }
                default:
                    index += 1
                }
            }
            return nil
        }

        /// One escape at `index` (the backslash). A `\u` escape of a surrogate must be a high one followed by a low
        /// one: the decoder refuses an unpaired surrogate in the fields it reads.
        mutating func escape() -> Bool {
            guard index + 1 < bytes.count else { return false }
            switch bytes[index + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                index += 2
                return true
            case UInt8(ascii: "u"):
                guard let unit = hexUnit(at: index + 2) else { return false }
                index += 6
                switch unit {
                case 0xD800...0xDBFF:
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u"), let low = hexUnit(at: index + 2),
                        (0xDC00...0xDFFF).contains(low)
                    else { return false }
                    index += 6
                    return true
                case 0xDC00...0xDFFF:
                    return false
                default:
                    return true
                }
            default:
                return false
            }
        }

        func hexUnit(at start: Int) -> UInt16? {
            guard start + 4 <= bytes.count else { return nil }
            var unit: UInt16 = 0
            for byte in bytes[start..<start + 4] {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                unit = unit << 4 | UInt16(digit)
            }
            return unit
        }

        /// One well-formed multi-byte UTF-8 sequence at `index`: no overlong forms, surrogates or code points
        /// past U+10FFFF.
        mutating func utf8Sequence() -> Bool {
            let lead = bytes[index]
            let length: Int
            var second: ClosedRange<UInt8> = 0x80...0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; second = 0xA0...0xBF
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; second = 0x80...0x9F
            case 0xF0: length = 4; second = 0x90...0xBF
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; second = 0x80...0x8F
            default: return false
            }
            guard index + length <= bytes.count, second.contains(bytes[index + 1]) else { return false }
            for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) { return false }
            index += length
            return true
        }

        /// `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`; `.integer` when it is a whole number that fits
        /// `Int64` as written (at most 18 digits, no fraction or exponent).
        mutating func number() -> Value? {
            _ = take(UInt8(ascii: "-"))
            let digitsStart = index
            if take(UInt8(ascii: "0")) {
                if let next = peek(), isDigit(next) { return nil }
            } else {
                guard digits() else { return nil }
            }
            let integerDigits = index - digitsStart
            var whole = true
            if take(UInt8(ascii: ".")) {
                whole = false
                guard digits() else { return nil }
            }
            if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
                whole = false
                if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
                guard digits() else { return nil }
            }
            return whole && integerDigits <= 18 ? .integer : .otherNumber
        }

        /// One or more digits.
        mutating func digits() -> Bool {
            let start = index
            while let byte = peek(), isDigit(byte) { index += 1 }
            return index > start
        }

        func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += count
            return true
        }

        // MARK: Bytes

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek() == byte else { return false }
            index += 1
            return true
        }

        mutating func skipWhitespace() {
            while let byte = peek(),
                byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
                    || byte == UInt8(ascii: "\t")
            {
                index += 1
            }
        }

        func string(_ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }

        /// True when the bytes in `range` are `word`.
        func `is`(_ range: Range<Int>, _ word: StaticString) -> Bool {
            range.count == word.utf8CodeUnitCount
                && memcmp(bytes.baseAddress! + range.lowerBound, word.utf8Start, range.count) == 0
        }

        func equal(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
            a.count == b.count && bytes[a].elementsEqual(bytes[b])
        }
    }
}
