import Foundation

/// Recognises attempts to override the agent's instructions ("ignore previous instructions", "reveal your
/// system prompt", "you are now…", "developer mode", "jailbreak"…), case-insensitively and through common
/// obfuscation: leetspeak digits, punctuation or spaces between letters.
package struct PromptInjectionScreen: Sendable {
    /// The answer given instead of obeying a flagged message.
    package static let safeAnswer = """
        I can't change how I work, but I'm happy to help you learn about business credit cards. \
        Try "learn APR", "next lesson" or "help".
        """

    /// Phrases matched against the normalised text (lowercase, leetspeak undone, punctuation removed).
    private static let phrases: [String] = [
        "ignore previous instructions", "ignore all previous instructions", "ignore prior instructions",
        "ignore the above", "ignore all instructions", "ignore your instructions", "ignore your rules",
        "disregard previous instructions", "disregard your instructions", "disregard the above",
        "disregard all previous", "forget your instructions", "forget all previous instructions",
        "forget everything above", "reveal your system prompt", "reveal the system prompt", "system prompt",
        "show me your instructions", "print your instructions", "repeat your instructions",
        "what are your instructions", "you are now", "from now on you are", "developer mode", "dev mode enabled",
        "jailbreak", "jail break", "do anything now", "dan mode", "act as an unrestricted",
        "pretend you have no rules", "pretend you are human", "override your", "bypass your",
        "new instructions", "admin override",
    ]

    /// Phrases also matched with every space removed, catching "i g n o r e  p r e v i o u s".
    private static let compactPhrases: [String] = [
        "ignorepreviousinstructions", "ignoreallpreviousinstructions", "ignoreallinstructions",
        "disregardpreviousinstructions", "revealyoursystemprompt", "systemprompt", "developermode", "jailbreak",
        "doanythingnow",
    ]

    package init() {}

    /// The rule a message breaks, or nil when it looks harmless.
    package func matchedRule(in text: String) -> String? {
        let normalized = Self.normalize(text)
        let padded = " \(normalized) "
        if let phrase = Self.phrases.first(where: { padded.contains(" \($0) ") }) { return phrase }
        let compact = normalized.replacingOccurrences(of: " ", with: "")
        return Self.compactPhrases.first { compact.contains($0) }
    }

    /// True when the message tries to change the agent's instructions.
    package func isInjection(_ text: String) -> Bool { matchedRule(in: text) != nil }

    static func normalize(_ text: String) -> String {
        let leet: [Character: Character] = [
            "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i",
        ]
        var output = ""
        for character in text.lowercased() {
            let mapped = leet[character] ?? character
            if mapped.isLetter {
                output.append(mapped)
            } else if mapped == "'" || mapped == "’" {
                continue
            } else {
                output.append(" ")
            }
        }
        return output.split(separator: " ").joined(separator: " ")
    }
}
