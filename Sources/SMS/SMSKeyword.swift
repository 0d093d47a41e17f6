/// The single-word commands a learner can text, matched against the whole message body.
///
/// The opt-out and opt-in words are Twilio's own default list, so our state agrees with the carrier-level
/// blocking Twilio applies on its side.
package enum SMSKeyword: String, CaseIterable, Sendable, Hashable {
    case stop = "STOP"
    case stopAll = "STOPALL"
    case unsubscribe = "UNSUBSCRIBE"
    case cancel = "CANCEL"
    case end = "END"
    case quit = "QUIT"
    case revoke = "REVOKE"
    case optOut = "OPTOUT"
    case start = "START"
    case yes = "YES"
    case unstop = "UNSTOP"
    case help = "HELP"
    case info = "INFO"
    case join = "JOIN"
    case next = "NEXT"
    case progress = "PROGRESS"

    /// What a keyword asks for.
    package enum Kind: Sendable, Hashable {
        /// Stop every message to this number at once, scheduled lessons included.
        case optOut
        /// Undo an opt-out.
        case optIn
        /// Answer with help.
        case help
        /// Enrol this number.
        case join
        /// Send the next lesson now.
        case next
        /// Report the learner's progress.
        case progress
    }

    package var kind: Kind {
        switch self {
        case .stop, .stopAll, .unsubscribe, .cancel, .end, .quit, .revoke, .optOut: .optOut
        case .start, .yes, .unstop: .optIn
        case .help, .info: .help
        case .join: .join
        case .next: .next
        case .progress: .progress
        }
    }

    /// The keyword `body` is, ignoring case and surrounding whitespace; nil when it is anything else.
    package init?(matching body: some StringProtocol) {
        let word = body.trimmingWhitespace().uppercased()
        self.init(rawValue: word)
    }
}
