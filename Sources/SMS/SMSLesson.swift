/// A lesson as the SMS channel renders it.
///
/// A plain value for now; it will be built from the `Learning` module's lesson model once the channel is wired in.
package struct SMSLesson: Sendable, Hashable {
    package var title: String
    package var content: String
    package var keyPoints: [String]
    package var scenario: String
    package var question: String
    package var options: [String]

    package init(
        title: String, content: String, keyPoints: [String], scenario: String, question: String, options: [String]
    ) {
        self.title = title
        self.content = content
        self.keyPoints = keyPoints
        self.scenario = scenario
        self.question = question
        self.options = options
    }
}
