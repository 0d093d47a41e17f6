/// How demanding a lesson is. Ordered from easiest to hardest.
package enum Difficulty: String, Sendable, Codable, CaseIterable, Comparable {
    case easy
    case medium
    case hard

    /// One step harder, or the same when already hardest.
    package var raised: Difficulty {
        switch self {
        case .easy: .medium
        case .medium, .hard: .hard
        }
    }

    /// One step easier, or the same when already easiest.
    package var lowered: Difficulty {
        switch self {
        case .hard: .medium
        case .medium, .easy: .easy
        }
    }

    /// Position from easiest (0) to hardest (2).
    package var rank: Int {
        switch self {
        case .easy: 0
        case .medium: 1
        case .hard: 2
        }
    }

    /// Every difficulty ordered by distance from this one (itself first); ties go to the easier one.
    package var byDistance: [Difficulty] {
        Difficulty.allCases.sorted { lhs, rhs in
            let left = abs(lhs.rank - rank)
            let right = abs(rhs.rank - rank)
            return left != right ? left < right : lhs.rank < rhs.rank
        }
    }

    package static func < (lhs: Difficulty, rhs: Difficulty) -> Bool { lhs.rank < rhs.rank }
}
