import Foundation
import Learning
import Testing

@Suite struct MasteryAndPathRuleTests {
    @Test func recentAnswersWeighMoreThanOldOnes() {
        let calculator = MasteryCalculator()
        let recentRight = calculator.mastery(newestFirst: [true, false])
        let recentWrong = calculator.mastery(newestFirst: [false, true])
        #expect(recentRight > 0.5)
        #expect(recentWrong < 0.5)
        // 1 / (1 + 0.8) and 0.8 / 1.8
        #expect(abs(recentRight - 1 / 1.8) < 1e-9)
        #expect(abs(recentWrong - 0.8 / 1.8) < 1e-9)
    }

    @Test func masteryIsZeroWithoutAnswersAndOneWhenAllRight() {
        let calculator = MasteryCalculator()
        #expect(calculator.mastery(newestFirst: []) == 0)
        #expect(calculator.mastery(newestFirst: [true, true, true]) == 1)
        #expect(calculator.mastery(newestFirst: [false, false]) == 0)
    }

    @Test func answersBeyondTheWindowAreIgnored() {
        let calculator = MasteryCalculator(decay: 0.8, window: 3)
        #expect(calculator.mastery(newestFirst: [true, true, true] + Array(repeating: false, count: 50)) == 1)
    }

    @Test(arguments: [
        (0.0, KnowledgeLevel.beginner), (0.49, .beginner), (0.5, .intermediate), (0.65, .intermediate),
        (0.8, .intermediate), (0.81, .advanced), (1.0, .advanced),
    ])
    func levelThresholdsAreBelowHalfAndAboveFourFifths(mastery: Double, level: KnowledgeLevel) {
        #expect(KnowledgeLevel(mastery: mastery) == level)
    }

    @Test(arguments: [
        (0.85, GetLearningPathTool.Decision.advance), (0.65, .keep), (0.3, .review), (0.5, .keep), (0.8, .keep),
        (0.81, .advance), (0.49, .review),
    ])
    func pathDecisionFollowsPerformance(performance: Double, decision: GetLearningPathTool.Decision) {
        #expect(GetLearningPathTool.decide(performance: performance) == decision)
    }

    @Test func difficultyRaisesAndLowersWithinBounds() {
        #expect(Difficulty.easy.raised == .medium)
        #expect(Difficulty.medium.raised == .hard)
        #expect(Difficulty.hard.raised == .hard)
        #expect(Difficulty.hard.lowered == .medium)
        #expect(Difficulty.easy.lowered == .easy)
        #expect(Difficulty.medium.byDistance == [.medium, .easy, .hard])
        #expect(Difficulty.hard.byDistance == [.hard, .medium, .easy])
    }
}
