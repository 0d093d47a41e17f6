/// Mastery as a recency-weighted share of correct answers: the k-th most recent answer (k = 0 for the newest)
/// weighs `decay^k`, so recent answers count more than old ones and old mistakes fade.
package struct MasteryCalculator: Sendable {
    package let decay: Double
    /// Answers older than this many are ignored (their weight is negligible anyway).
    package let window: Int

    package init(decay: Double = 0.8, window: Int = 20) {
        self.decay = decay
        self.window = window
    }

    /// Mastery in 0...1 for answers given newest first; 0 when there are none.
    package func mastery(newestFirst correct: [Bool]) -> Double {
        var weighted = 0.0
        var total = 0.0
        var weight = 1.0
        for answer in correct.prefix(window) {
            if answer { weighted += weight }
            total += weight
            weight *= decay
        }
        return total == 0 ? 0 : weighted / total
    }
}
