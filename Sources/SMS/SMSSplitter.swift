/// Splits long SMS text into parts Twilio accepts (its Messages API takes at most 1,600 characters a message).
package enum SMSSplitter {
    /// Twilio's limit on one message body.
    package static let twilioMaximum = 1600

    /// `text` as parts of at most `maxCharacters` each, cut at the last sentence end that fits, else the last
    /// space, else anywhere between two characters (grapheme clusters), so no emoji or accented letter is cut.
    ///
    /// Length is measured in UTF-16 code units, the strictest reading of "characters" (an emoji counts 2), so a
    /// part is within the limit however the provider counts. The whitespace at each cut is dropped; nothing else
    /// is changed. Text that already fits comes back as one part; empty text as no parts.
    package static func split(_ text: String, maxCharacters: Int = twilioMaximum) -> [String] {
        precondition(maxCharacters > 0, "maxCharacters must be positive")
        var parts: [String] = []
        var rest = Substring(text)
        while rest.utf16.count > maxCharacters {
            let window = fittingPrefixEnd(of: rest, maxUnits: maxCharacters)
            let cut = sentenceBreak(in: rest, before: window) ?? wordBreak(in: rest, before: window) ?? window
            let part = rest[..<cut].trimmingTrailingWhitespace()
            if !part.isEmpty {
                parts.append(String(part))
            }
            rest = rest[cut...].drop(while: \.isWhitespace)
        }
        if !rest.isEmpty {
            parts.append(String(rest))
        }
        return parts
    }

    /// The end of the longest prefix of whole characters within `maxUnits` UTF-16 units. A single character longer
    /// than that (a pathological run of combining marks) is cut between Unicode scalars, the best left to do.
    private static func fittingPrefixEnd(of text: Substring, maxUnits: Int) -> Substring.Index {
        var units = 0
        var end = text.startIndex
        for index in text.indices {
            let size = text[index].utf16.count
            if units + size > maxUnits { break }
            units += size
            end = text.index(after: index)
        }
        guard end == text.startIndex else { return end }
        var scalarEnd = text.unicodeScalars.startIndex
        units = 0
        for scalar in text.unicodeScalars {
            if units + scalar.utf16.count > maxUnits { break }
            units += scalar.utf16.count
            scalarEnd = text.unicodeScalars.index(after: scalarEnd)
        }
        // Always make progress, even if one scalar is wider than the limit (only possible with maxUnits == 1).
        return scalarEnd == text.startIndex ? text.unicodeScalars.index(after: scalarEnd) : scalarEnd
    }

    private static let sentenceEnds: Set<Character> = [".", "!", "?", "…"]
    private static let closers: Set<Character> = ["\"", "'", ")", "]", "”", "’", "»"]

    /// The last whitespace at or before `end` that follows a sentence end (`.`, `!`, `?`, `…`, perhaps then a
    /// closing quote or bracket) or is a line break, leaving a non-empty part before it.
    private static func sentenceBreak(in text: Substring, before end: Substring.Index) -> Substring.Index? {
        var index = end
        while index > text.startIndex {
            if index < text.endIndex, text[index].isWhitespace {
                let before = text[..<index].trimmingTrailingWhitespace()
                if !before.isEmpty {
                    if text[index].isNewline { return index }
                    let sentence = before.reversed().drop(while: { closers.contains($0) })
                    if let last = sentence.first, sentenceEnds.contains(last) { return index }
                }
            }
            index = text.index(before: index)
        }
        return nil
    }

    /// The last whitespace at or before `end` that leaves a non-empty part before it.
    private static func wordBreak(in text: Substring, before end: Substring.Index) -> Substring.Index? {
        var index = end
        while index > text.startIndex {
            if index < text.endIndex, text[index].isWhitespace,
                text[..<index].contains(where: { !$0.isWhitespace })
            {
                return index
            }
            index = text.index(before: index)
        }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingTrailingWhitespace() -> Substring {
        guard let last = lastIndex(where: { !$0.isWhitespace }) else { return self[startIndex..<startIndex] }
        return self[...last]
    }
}
