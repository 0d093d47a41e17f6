/// What an inbound SMS asks the gateway to do, as read by `SMSCommandParser`.
package enum SMSCommand: Sendable, Hashable {
    /// Opt the number out at once and for good (until an opt-in); `keyword` is the word used, for the audit trail.
    case optOut(SMSKeyword)
    /// Opt the number back in.
    case optIn(SMSKeyword)
    /// Answer with help.
    case help
    /// Enrol the number.
    case join
    /// Answer the open quiz with the option at `optionIndex` (0 for `A`/`1` … 3 for `D`/`4`).
    case answer(optionIndex: Int)
    /// Send the next lesson now.
    case next
    /// Report progress.
    case progress
    /// Deliver lessons at this local time (24-hour clock).
    case setDeliveryTime(hour: Int, minute: Int)
    /// Use this IANA time zone (a canonical identifier `TimeZone(identifier:)` accepts).
    case setTimeZone(identifier: String)
    /// A recognised command with an unusable argument; `reason` is a reply the learner can act on.
    case invalid(reason: String)
    /// Anything else: free text for the agent, with surrounding whitespace removed.
    case message(String)
}
