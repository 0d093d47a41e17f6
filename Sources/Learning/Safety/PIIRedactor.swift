import Foundation

/// Replaces personal data in free text with placeholders before it is stored, logged or sent to a model:
/// emails → `[email]`, card numbers (13–19 digits, optionally grouped with spaces or dashes, and only when
/// they pass the Luhn check) → `[card]`, US social security numbers → `[ssn]`, phone numbers (E.164 and US
/// formats) → `[phone]`.
package struct PIIRedactor: Sendable {
    private let email: NSRegularExpression
    private let card: NSRegularExpression
    private let ssn: NSRegularExpression
    private let phones: [NSRegularExpression]

    package init() {
        // The patterns are constants; a typo in one is a programming error caught by every test.
        func regex(_ pattern: String) -> NSRegularExpression {
            do {
                return try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
            } catch {
                preconditionFailure("invalid built-in PII pattern")
            }
        }
        email = regex(#"[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}"#)
        card = regex(#"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])"#)
        ssn = regex(#"(?<![\d-])\d{3}[- ]\d{2}[- ]\d{4}(?![\d-])"#)
        phones = [
            // E.164, optionally grouped: +15551234567, +44 20 7946 0958
            regex(#"\+[1-9](?:[ .-]?\(?\d\)?){7,14}(?!\d)"#),
            // US: (555) 123-4567, 555-123-4567, 555.123.4567, 1-555-123-4567, 5551234567
            regex(#"(?<![\d+])(?:1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}(?!\d)"#),
        ]
    }

    /// `text` with every recognised piece of personal data replaced.
    package func redact(_ text: String) -> String {
        var result = replace(email, in: text, with: "[email]")
        result = replace(card, in: result) { Self.passesLuhn($0) ? "[card]" : nil }
        result = replace(ssn, in: result, with: "[ssn]")
        for phone in phones {
            result = replace(phone, in: result, with: "[phone]")
        }
        return result
    }

    /// True when the digits of `text` (separators ignored) are 13–19 long and pass the Luhn checksum.
    package static func passesLuhn(_ text: String) -> Bool {
        let digits = text.compactMap(\.wholeNumberValue)
        guard (13...19).contains(digits.count) else { return false }
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            if offset % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }

    private func replace(_ regex: NSRegularExpression, in text: String, with placeholder: String) -> String {
        replace(regex, in: text) { _ in placeholder }
    }

    private func replace(
        _ regex: NSRegularExpression, in text: String, _ replacement: (String) -> String?
    ) -> String {
        let source = text as NSString
        let matches = regex.matches(in: text, range: NSRange(location: 0, length: source.length))
        guard !matches.isEmpty else { return text }
        let output = NSMutableString(string: text)
        for match in matches.reversed() {
            if let value = replacement(source.substring(with: match.range)) {
                output.replaceCharacters(in: match.range, with: value)
            }
        }
        return output as String
    }
}
