/// What the webhook routes and the agent API accept in the text of a request, checked before anything is stored.
///
/// - No NUL character anywhere: Postgres text cannot hold one, and cutting it out would store something other
///   than what was sent, so the request is refused with a 4xx instead.
/// - Identifiers (event ids, trigger ids, message SIDs, user ids) are short and single words: they are the keys of
///   unique indexes, whose entries Postgres caps at about 2.7 KB, so an oversized one would fail every insert.
///   Other text (a message, a display name) may be long; `MAX_BODY_BYTES` bounds it.
package enum InboundText {
    /// The longest identifier accepted, in UTF-8 bytes: far above any provider's (Slack's and Twilio's are under
    /// 40), far below Postgres's index-entry limit.
    package static let maxIdentifierBytes = 255

    /// True when `text` holds a NUL character.
    package static func containsNUL(_ text: some StringProtocol) -> Bool {
        text.utf8.contains(0)
    }

    /// True when any name or value holds a NUL character.
    package static func containsNUL(_ pairs: [(String, String)]) -> Bool {
        pairs.contains { containsNUL($0.0) || containsNUL($0.1) }
    }

    /// True when the JSON text `bytes` holds a NUL: raw, or escaped as `\u0000` (an escape is a backslash preceded
    /// by an even number of backslashes, so `\\u0000`, an escaped backslash then `u0000`, is not one). A byte scan,
    /// so the hot webhook path does not parse the body a second time.
    package static func jsonContainsNUL(_ bytes: some Collection<UInt8>) -> Bool {
        let bytes = Array(bytes)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0 { return true }
            if byte == UInt8(ascii: "\\") {
                // An escape: look at what it escapes, then skip it.
                guard index + 1 < bytes.count else { return false }
                if bytes[index + 1] == UInt8(ascii: "u"), index + 5 < bytes.count,
                    bytes[(index + 2)...(index + 5)].elementsEqual(Array("0000".utf8))
                {
                    return true
                }
                index += 2
                continue
            }
            index += 1
        }
        return false
    }

    /// True when `text` can be an identifier: 1 to `maxBytes` UTF-8 bytes, with no white space or control
    /// characters.
    package static func isIdentifier(_ text: some StringProtocol, maxBytes: Int = maxIdentifierBytes) -> Bool {
        guard !text.isEmpty, text.utf8.count <= maxBytes else { return false }
        // The usual identifier is printable ASCII, where the answer needs no Unicode tables: ASCII's white space
        // (tab to carriage return, space) and control characters (below space, DEL) all lie outside `!`...`~`.
        if text.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) { return true }
        return text.unicodeScalars.allSatisfy { scalar in
            !scalar.properties.isWhitespace && scalar.properties.generalCategory != .control
        }
    }
}
