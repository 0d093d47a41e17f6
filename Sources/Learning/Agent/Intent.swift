/// What a learner wants from a message.
package enum Intent: Sendable, Equatable {
    case greeting
    case learnTopic(String)
    case nextLesson
    /// An answer to the open quiz, as typed.
    case answer(String)
    case whatNext
    case progress
    case mistakes
    case help
    /// A worked scenario; topic and industry when the message names them.
    case practice(topic: String?, industry: String?)
    case offTopic

    /// The name recorded with engagement events.
    package var interaction: String {
        switch self {
        case .greeting: "greeting"
        case .learnTopic: "learn_topic"
        case .nextLesson: "next_lesson"
        case .answer: "quiz_answer"
        case .whatNext: "what_next"
        case .progress: "progress"
        case .mistakes: "mistakes"
        case .help: "help"
        case .practice: "practice"
        case .offTopic: "off_topic"
        }
    }
}
