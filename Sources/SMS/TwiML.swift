/// A TwiML document answering an inbound SMS webhook.
package struct TwiML: Sendable, Hashable {
    /// The media type to answer with.
    package static let contentType = "text/xml; charset=utf-8"

    private static let declaration = #"<?xml version="1.0" encoding="UTF-8"?>"#

    /// The document's text.
    package let xml: String

    /// An empty `<Response/>`: acknowledged, nothing sent back.
    package static let empty = TwiML(xml: declaration + "<Response/>")

    /// A reply of one `<Message>` per body, in order.
    package static func messages(_ bodies: [String]) -> TwiML {
        guard !bodies.isEmpty else { return empty }
        let messages = bodies.map { "<Message>\(escape($0))</Message>" }.joined()
        return TwiML(xml: declaration + "<Response>\(messages)</Response>")
    }

    /// A reply of one `<Message>`.
    package static func message(_ body: String) -> TwiML {
        messages([body])
    }

    /// `text` safe as XML 1.0 character data or attribute value: `& < > " '` escaped, and characters XML 1.0 does
    /// not allow (control characters other than tab, line feed and carriage return; U+FFFE; U+FFFF) removed.
    package static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            case "\t", "\n", "\r": output.unicodeScalars.append(scalar)
            case "\u{00}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": continue
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
