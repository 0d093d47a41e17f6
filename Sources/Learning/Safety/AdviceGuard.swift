/// Recognises requests for personal financial advice ("which card should I get", "should I take a loan",
/// "should I invest") so the agent answers with general education and a disclaimer, never a recommendation.
package struct AdviceGuard: Sendable {
    /// Appended to every answer to an advice request.
    package static let disclaimer = """
        This is general education, not personal financial advice. For decisions about your business, \
        talk to a qualified financial professional.
        """

    /// Patterns as word sequences; `*` stands for any single word.
    private static let patterns: [(words: [String], topic: String?)] = [
        (["which", "card", "should", "i"], "rewards"),
        (["what", "card", "should", "i"], "rewards"),
        (["which", "credit", "card", "should", "i"], "rewards"),
        (["what", "credit", "card", "should", "i"], "rewards"),
        (["best", "card", "for", "me"], "rewards"),
        (["best", "credit", "card", "for", "me"], "rewards"),
        (["recommend", "a", "card"], "rewards"),
        (["recommend", "me", "a", "card"], "rewards"),
        (["should", "i", "apply", "for"], "responsible-use"),
        (["should", "i", "take", "a", "loan"], "interest"),
        (["should", "i", "take", "out", "a", "loan"], "interest"),
        (["should", "i", "get", "a", "loan"], "interest"),
        (["should", "i", "borrow"], "interest"),
        (["should", "i", "invest"], nil),
        (["invest", "in"], nil),
        (["investing"], nil),
        (["invest"], nil),
        (["stocks"], nil),
        (["crypto"], nil),
        (["should", "i", "pay", "off"], "payments-and-fees"),
        (["should", "i", "close", "my"], "credit-scores"),
        (["should", "i", "open"], "responsible-use"),
        (["is", "it", "a", "good", "idea", "for", "me", "to"], nil),
        (["what", "should", "i", "do", "with", "my", "money"], nil),
    ]

    package init() {}

    /// The result of a check: whether the message asks for personal advice and the topic that teaches the
    /// general principle behind it.
    package struct Check: Sendable, Equatable {
        package let isPersonalAdvice: Bool
        package let relatedTopic: String?
    }

    /// Checks one message.
    package func check(_ text: String) -> Check {
        let words = text.lowercased().split { !$0.isLetter && $0 != "'" }.map(String.init)
        for pattern in Self.patterns where Self.contains(words, pattern.words) {
            return Check(isPersonalAdvice: true, relatedTopic: pattern.topic)
        }
        return Check(isPersonalAdvice: false, relatedTopic: nil)
    }

    private static func contains(_ words: [String], _ pattern: [String]) -> Bool {
        guard !pattern.isEmpty, words.count >= pattern.count else { return false }
        for start in 0...(words.count - pattern.count) {
            if zip(words[start...], pattern).allSatisfy({ $1 == "*" || $0 == $1 }) { return true }
        }
        return false
    }
}
