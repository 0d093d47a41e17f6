import Foundation

/// One turn in: who (the learner's id on their channel), and either text they wrote or an action they took
/// (a button, a command).
package struct AgentInput: Sendable, Equatable {
    /// The learner's id on `channel`: Slack user id, E.164 number, or the API caller's learner id.
    package var learnerID: String
    package var channel: Channel
    package var text: String?
    package var action: AgentAction?

    package init(learnerID: String, channel: Channel, text: String? = nil, action: AgentAction? = nil) {
        self.learnerID = learnerID
        self.channel = channel
        self.text = text
        self.action = action
    }
}

/// Something a learner did without typing: a quiz button, a "next lesson" button, a slash command.
package enum AgentAction: Sendable, Equatable {
    /// Answer a specific attempt's quiz with an option index (0 = A).
    case answer(attemptID: UUID, optionIndex: Int)
    case nextLesson
    case startTopic(String)
    case whatNext
    case progress
    case mistakes
    case help
}
