/// The grade of one quiz answer, with what to tell the learner.
package struct QuizVerdict: Sendable, Equatable, Codable {
    package let lessonID: String
    package let correct: Bool
    package let selectedIndex: Int
    package let correctIndex: Int
    package let correctOption: String
    package let explanation: String
    /// One line for the learner: praise, or the right answer.
    package let feedback: String

    package init(
        lessonID: String, correct: Bool, selectedIndex: Int, correctIndex: Int, correctOption: String,
        explanation: String, feedback: String
    ) {
        self.lessonID = lessonID
        self.correct = correct
        self.selectedIndex = selectedIndex
        self.correctIndex = correctIndex
        self.correctOption = correctOption
        self.explanation = explanation
        self.feedback = feedback
    }
}
