/// Renders a lesson as SMS text: title, content, key points, scenario, then the quiz with lettered options and a
/// reply hint, in GSM-7 where the text allows and split into parts Twilio accepts.
package struct SMSLessonRenderer: Sendable {
    /// The longest part, in UTF-16 code units.
    package var maxCharacters: Int

    package init(maxCharacters: Int = SMSSplitter.twilioMaximum) {
        self.maxCharacters = maxCharacters
    }

    /// The lesson as message bodies to send in order (usually one).
    package func render(_ lesson: SMSLesson) -> [String] {
        SMSSplitter.split(self.text(of: lesson), maxCharacters: self.maxCharacters)
    }

    /// The lesson as one text before splitting.
    package func text(of lesson: SMSLesson) -> String {
        var sections: [String] = []
        func add(_ section: String) {
            let trimmed = section.trimmingWhitespace()
            if !trimmed.isEmpty { sections.append(String(trimmed)) }
        }
        add(lesson.title)
        add(lesson.content)
        let points = lesson.keyPoints.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        if !points.isEmpty {
            add("Key points:\n" + points.map { "- \($0)" }.joined(separator: "\n"))
        }
        if !lesson.scenario.trimmingWhitespace().isEmpty {
            add("Scenario: \(lesson.scenario.trimmingWhitespace())")
        }
        let letters = Self.optionLetters.prefix(lesson.options.count)
        var quiz = lesson.question.trimmingWhitespace().isEmpty ? "" : "Quiz: \(lesson.question.trimmingWhitespace())"
        for (letter, option) in zip(letters, lesson.options) {
            quiz += "\n\(letter)) \(option.trimmingWhitespace())"
        }
        if !letters.isEmpty {
            quiz += "\n" + Self.replyHint(Array(letters))
        }
        add(quiz)
        return SMSTextNormalizer.preferringGSM7(sections.joined(separator: "\n\n"))
    }

    private static let optionLetters: [Character] = Array("ABCDEFGHIJ")

    /// "Reply A", "Reply A or B", "Reply A, B, C or D".
    static func replyHint(_ letters: [Character]) -> String {
        let names = letters.map(String.init)
        guard let last = names.last else { return "" }
        guard names.count > 1 else { return "Reply \(last)" }
        return "Reply \(names.dropLast().joined(separator: ", ")) or \(last)"
    }
}
