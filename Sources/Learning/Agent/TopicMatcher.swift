import Foundation

/// Finds which curriculum topic a message is about, from topic names and common synonyms ("annual percentage
/// rate", "cash back", "scam"…). The longest matching phrase wins, so "interest rate" beats "interest".
package struct TopicMatcher: Sendable {
    private static let synonyms: [String: [String]] = [
        "apr": ["apr", "aprs", "annual percentage rate", "interest rate", "interest rates", "percentage rate"],
        "interest": [
            "interest", "finance charge", "finance charges", "grace period", "compound interest",
            "average daily balance",
        ],
        "credit-limits": ["credit limit", "credit limits", "limit", "limits", "spending limit", "credit line"],
        "rewards": ["rewards", "reward", "cash back", "cashback", "points", "miles", "sign up bonus"],
        "payments-and-fees": [
            "payment", "payments", "fees", "fee", "late fee", "annual fee", "minimum payment",
            "due date", "autopay",
        ],
        "credit-scores": [
            "credit score", "credit scores", "fico", "credit report", "credit history",
            "utilization", "business credit",
        ],
        "fraud-and-security": [
            "fraud", "security", "scam", "scams", "phishing", "stolen card", "chargeback",
            "identity theft", "skimming",
        ],
        "responsible-use": [
            "responsible use", "responsible", "budget", "budgeting", "debt", "overspending",
            "personal guarantee", "cash flow",
        ],
    ]

    private let phrases: [(phrase: String, slug: String)]

    package init(curriculum: CurriculumPack) {
        var phrases: [(String, String)] = []
        for topic in curriculum.topics {
            phrases.append((Self.normalize(topic.slug.replacingOccurrences(of: "-", with: " ")), topic.slug))
            phrases.append((Self.normalize(topic.title), topic.slug))
            for synonym in Self.synonyms[topic.slug] ?? [] { phrases.append((synonym, topic.slug)) }
        }
        self.phrases = phrases.filter { !$0.0.isEmpty }.sorted { $0.0.count > $1.0.count }
    }

    /// The topic slug the text names, or nil.
    package func topic(in text: String) -> String? {
        let padded = " \(Self.normalize(text)) "
        return phrases.first { padded.contains(" \($0.phrase) ") }?.slug
    }

    /// Lowercase words separated by single spaces; punctuation dropped (apostrophes vanish: "what's" → "whats").
    static func normalize(_ text: String) -> String {
        var output = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                output.append(character)
            } else if character != "'" && character != "’" {
                output.append(" ")
            }
        }
        return output.split(separator: " ").joined(separator: " ")
    }
}
