import SMS
import Testing

@Suite struct SMSSplitterTests {
    /// True when `parts`, rejoined, give `original` except for whitespace dropped at the cuts.
    static func rejoins(_ parts: [String], into original: String) -> Bool {
        var rest = Substring(original)
        for (index, part) in parts.enumerated() {
            if index > 0 { rest = rest.drop(while: \.isWhitespace) }
            guard rest.hasPrefix(part) else { return false }
            rest = rest.dropFirst(part.count)
        }
        return rest.allSatisfy(\.isWhitespace)
    }

    static let sentence = "Your card's APR is the yearly cost of carrying a balance. "
    static let lesson = String(repeating: sentence, count: 80) + "Pay in full to avoid interest!"

    @Test func shortTextIsOnePart() {
        #expect(SMSSplitter.split("Hello") == ["Hello"])
        #expect(SMSSplitter.split(String(repeating: "a", count: 1600)).count == 1)
        #expect(SMSSplitter.split("").isEmpty)
    }

    @Test func longTextSplitsIntoPartsWithinLimit() {
        let parts = SMSSplitter.split(Self.lesson)
        #expect(parts.count == 3)
        #expect(parts.allSatisfy { $0.utf16.count <= 1600 })
        #expect(Self.rejoins(parts, into: Self.lesson))
    }

    @Test func partsEndAtSentenceBoundaries() {
        let parts = SMSSplitter.split(Self.lesson)
        for part in parts {
            #expect(part.hasSuffix(".") || part.hasSuffix("!"))
            #expect(part.hasPrefix("Your") || part.hasPrefix("Pay"))
        }
    }

    @Test func sentenceEndBeforeClosingQuoteCounts() {
        let text = "He said \"Pay on time.\" Then he left the room quietly"
        let parts = SMSSplitter.split(text, maxCharacters: 40)
        #expect(parts == ["He said \"Pay on time.\"", "Then he left the room quietly"])
    }

    @Test func lineBreakIsASentenceBoundary() {
        let text = "Key points\n- one two three four five six"
        #expect(SMSSplitter.split(text, maxCharacters: 30) == ["Key points", "- one two three four five six"])
    }

    @Test func withoutSentenceEndSplitsAtWords() {
        let text = String(repeating: "word ", count: 500)
        let parts = SMSSplitter.split(text, maxCharacters: 1600)
        #expect(parts.count == 2)
        #expect(parts.allSatisfy { $0.utf16.count <= 1600 && !$0.hasSuffix("wor") })
        #expect(parts.allSatisfy { $0.split(separator: " ").allSatisfy { $0 == "word" } })
        #expect(Self.rejoins(parts, into: text))
    }

    @Test func unbrokenTextIsCutHard() {
        let text = String(repeating: "x", count: 3500)
        let parts = SMSSplitter.split(text)
        #expect(parts.map(\.count) == [1600, 1600, 300])
        #expect(parts.joined() == text)
    }

    @Test func emojiAndGraphemesAreNeverCut() {
        let text = String(repeating: "😀", count: 1001) + String(repeating: "🇫🇷", count: 10) + "e\u{0301}"
        let parts = SMSSplitter.split(text, maxCharacters: 1600)
        #expect(parts.allSatisfy { $0.utf16.count <= 1600 })
        #expect(parts.joined() == text)
        #expect(parts[0].utf16.count == 1600)
        let wholeCharacters: Set<Character> = ["😀", "🇫🇷", "e\u{0301}"]
        #expect(parts.allSatisfy { $0.allSatisfy(wholeCharacters.contains) })
        let flags = String(repeating: "🇫🇷", count: 5)
        #expect(SMSSplitter.split(flags, maxCharacters: 6) == Array(repeating: "🇫🇷", count: 5))
    }

    @Test(arguments: [37, 160, 400, 1600])
    func mixedTextObeysEveryLimit(limit: Int) {
        let text =
            "Fees: 3% foreign. Late fee? $39!\n\n"
            + String(repeating: "Rewards… earn 2× points 😀 on travel. ", count: 90)
        let parts = SMSSplitter.split(text, maxCharacters: limit)
        #expect(parts.allSatisfy { $0.utf16.count <= limit && !$0.isEmpty })
        #expect(Self.rejoins(parts, into: text))
    }

    @Test func leadingWhitespaceRunDoesNotProduceEmptyParts() {
        let text = String(repeating: " ", count: 50) + String(repeating: "ab ", count: 20)
        let parts = SMSSplitter.split(text, maxCharacters: 10)
        #expect(!parts.isEmpty && parts.allSatisfy { $0.contains { !$0.isWhitespace } && $0.utf16.count <= 10 })
    }
}
