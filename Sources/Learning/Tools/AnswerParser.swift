/// Reads which option a typed answer means. `b`, `B`, ` B `, `2`, `b)`, `(b)`, `b.`, `option b` and the option's
/// own text (ignoring case, spacing and end punctuation) all mean the second option. Anything else, including
/// letters or numbers past the last option, means nothing: the answer is not understood rather than wrong.
package struct AnswerParser: Sendable {
    package init() {}

    /// The option index `response` selects among `options`, or nil when it selects none.
    package func index(of response: String, options: [String]) -> Int? {
        let text = Self.normalized(response)
        guard !text.isEmpty else { return nil }
        if let exact = options.firstIndex(where: { Self.normalized($0) == text }) { return exact }
        guard let label = Self.label(in: text) else { return nil }
        switch label {
        case .letter(let index): return index < options.count ? index : nil
        case .number(let number): return number >= 1 && number <= options.count ? number - 1 : nil
        }
    }

    /// True when `response` is shaped like an option label (`e`, `7)`, `(z)`), whether or not such an option
    /// exists: the learner is trying to answer, so an unknown label is "not understood" rather than off topic.
    package func looksLikeOptionLabel(_ response: String) -> Bool {
        Self.label(in: Self.normalized(response)) != nil
    }

    private enum Label {
        case letter(Int)
        case number(Int)
    }

    private static func label(in normalized: String) -> Label? {
        var text = normalized
        for prefix in ["my answer is ", "the answer is ", "answer is ", "answer: ", "answer ", "option ", "choice "]
        where text.hasPrefix(prefix) {
            text = String(text.dropFirst(prefix.count))
            break
        }
        // "(b)" or "(b) 24%" → "b" or "b) 24%"
        if text.hasPrefix("(") { text.removeFirst() }

        let characters = Array(text)
        var tokenEnd = 0
        while tokenEnd < characters.count, characters[tokenEnd].isLetter || characters[tokenEnd].isNumber {
            tokenEnd += 1
        }
        let token = String(characters[..<tokenEnd])
        let rest = String(characters[tokenEnd...])
        // The token stands alone ("b", "b)", "2.") or is a letter label followed by text ("b) 24%").
        let restIsPunctuation = rest.allSatisfy { ")].:".contains($0) }
        let restIsLabelledText = [")", ".", ":", "]"].contains { rest.hasPrefix($0 + " ") }
        guard restIsPunctuation || restIsLabelledText else { return nil }
        if token.count == 1, let scalar = token.unicodeScalars.first, ("a"..."z").contains(scalar) {
            return .letter(Int(scalar.value) - Int(("a" as UnicodeScalar).value))
        }
        if restIsPunctuation, let number = Int(token), token.count <= 2 {
            return .number(number)
        }
        return nil
    }

    /// Lowercased, trimmed, inner whitespace collapsed, end punctuation (`.!?`) dropped.
    static func normalized(_ text: String) -> String {
        var words = text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        while let last = words.last, ".!?".contains(last) { words.removeLast() }
        return words
    }
}
