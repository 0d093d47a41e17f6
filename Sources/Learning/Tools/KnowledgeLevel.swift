/// A learner's level on a topic (or overall), from mastery: below 0.5 beginner, above 0.8 advanced.
package enum KnowledgeLevel: String, Sendable, Codable, CaseIterable {
    case beginner
    case intermediate
    case advanced

    /// The level for a mastery in 0...1. Exactly 0.5 and exactly 0.8 are intermediate.
    package init(mastery: Double) {
        if mastery < 0.5 {
            self = .beginner
        } else if mastery > 0.8 {
            self = .advanced
        } else {
            self = .intermediate
        }
    }

    /// The lesson difficulty that suits this level.
    package var suggestedDifficulty: Difficulty {
        switch self {
        case .beginner: .easy
        case .intermediate: .medium
        case .advanced: .hard
        }
    }
}
