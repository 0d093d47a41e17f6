import Foundation

/// Reads the whole body of an inbound SMS as a command.
///
/// Matching ignores case and surrounding whitespace. A body that is not a command becomes `.message` for the agent;
/// a recognisable command with a bad argument (`TIME 25:00`) becomes `.invalid` with a reply that says how to fix it.
package enum SMSCommandParser {
    /// The command `body` expresses.
    package static func parse(_ body: String) -> SMSCommand {
        let text = body.trimmingWhitespace()
        if let keyword = SMSKeyword(matching: text) {
            return command(for: keyword)
        }
        // "Stop." or "STOP!" still means stop: honouring an opt-out too eagerly costs nothing, missing one is a
        // compliance failure. Only opt-out words get this leniency.
        if let keyword = SMSKeyword(matching: text.trimmingTrailing(".!")), keyword.kind == .optOut {
            return .optOut(keyword)
        }
        if let index = answerIndex(text) {
            return .answer(optionIndex: index)
        }
        let (word, argument) = splitFirstWord(text)
        switch word.uppercased() {
        case "TIME" where argument.isEmpty || argument.first?.isASCIIDigit == true:
            return parseTime(argument)
        case "TZ", "TIMEZONE":
            return parseTimeZone(argument)
        default:
            return .message(String(text))
        }
    }

    private static func command(for keyword: SMSKeyword) -> SMSCommand {
        switch keyword.kind {
        case .optOut: .optOut(keyword)
        case .optIn: .optIn(keyword)
        case .help: .help
        case .join: .join
        case .next: .next
        case .progress: .progress
        }
    }

    /// `A`–`D` or `1`–`4`, bare or written `b)`, `(b)` or `b.`, as a 0-based option index.
    private static func answerIndex(_ text: Substring) -> Int? {
        var core = text.lowercased()[...]
        if core.hasPrefix("("), core.hasSuffix(")") {
            core = core.dropFirst().dropLast()
        } else if core.hasSuffix(")") || core.hasSuffix(".") {
            core = core.dropLast()
        }
        guard core.count == 1, let character = core.first else { return nil }
        switch character {
        case "a", "1": return 0
        case "b", "2": return 1
        case "c", "3": return 2
        case "d", "4": return 3
        default: return nil
        }
    }

    private static func splitFirstWord(_ text: Substring) -> (Substring, Substring) {
        guard let space = text.firstIndex(where: \.isWhitespace) else { return (text, text[text.endIndex...]) }
        return (text[..<space], text[space...].trimmingWhitespace())
    }

    private static let timeHelp =
        "Send TIME and the time you want your daily lesson, like TIME 7:30, TIME 19:05 or TIME 7pm."

    /// `7:30`, `07:30`, `19:05`, `7.30`, `7`, `19`, `7:30pm`, `7 pm`, `7:30 a.m.`.
    private static func parseTime(_ argument: Substring) -> SMSCommand {
        guard !argument.isEmpty else { return .invalid(reason: timeHelp) }
        let rejected = SMSCommand.invalid(reason: "Sorry, \(echo(argument)) is not a time I understand. " + timeHelp)
        var text = argument.lowercased().filter { !$0.isWhitespace }[...]
        var meridiem: Character?
        for suffix in ["a.m.", "p.m.", "am", "pm"] where text.hasSuffix(suffix) {
            meridiem = suffix.first
            text = text.dropLast(suffix.count)
            break
        }
        let pieces = text.split(omittingEmptySubsequences: false) { $0 == ":" || $0 == "." }
        guard (1...2).contains(pieces.count),
            pieces.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
            (1...2).contains(pieces[0].count), let hour = Int(pieces[0])
        else { return rejected }
        var minute = 0
        if pieces.count == 2 {
            guard pieces[1].count == 2, let value = Int(pieces[1]), value < 60 else { return rejected }
            minute = value
        }
        switch meridiem {
        case nil:
            guard hour < 24 else { return rejected }
            return .setDeliveryTime(hour: hour, minute: minute)
        case let marker?:
            guard (1...12).contains(hour) else { return rejected }
            return .setDeliveryTime(hour: hour % 12 + (marker == "p" ? 12 : 0), minute: minute)
        }
    }

    private static let timeZoneHelp =
        "Send TZ and your time zone's name, like TZ America/Chicago or TZ Europe/London."

    private static func parseTimeZone(_ argument: Substring) -> SMSCommand {
        guard !argument.isEmpty else { return .invalid(reason: timeZoneHelp) }
        guard !argument.contains(where: \.isWhitespace), let zone = timeZone(named: String(argument)) else {
            return .invalid(reason: "Sorry, \(echo(argument)) is not a time zone I know. " + timeZoneHelp)
        }
        return .setTimeZone(identifier: zone.identifier)
    }

    /// The tz database zone this name is, also when typed in the wrong case (`america/chicago`).
    ///
    /// `TimeZone(identifier:)` also accepts abbreviations (`PST`, `IST`) and offsets (`GMT+5`, as `GMT+0500`); Postgres,
    /// where the scheduler turns delivery times into instants, knows neither and would quietly use UTC, so they are
    /// refused with the help text instead.
    private static func timeZone(named name: String) -> TimeZone? {
        if let zone = TimeZone(identifier: name), isDatabaseName(zone.identifier) {
            return zone
        }
        let lowered = name.lowercased()
        guard let known = TimeZone.knownTimeZoneIdentifiers.first(where: { $0.lowercased() == lowered }) else {
            return nil
        }
        return TimeZone(identifier: known)
    }

    private static let knownZones = Set(TimeZone.knownTimeZoneIdentifiers)

    /// A tz database name: a zone Foundation lists, or an `Area/Location` link it accepts (`US/Eastern`,
    /// `Etc/GMT+5`). Abbreviations and offsets have no `/`.
    private static func isDatabaseName(_ identifier: String) -> Bool {
        identifier.contains("/") || knownZones.contains(identifier)
    }

    /// The learner's argument quoted back, unless it is too long to be worth repeating.
    private static func echo(_ argument: Substring) -> String {
        argument.count <= 24 ? "\"\(argument)\"" : "that"
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Substring {
    fileprivate func trimmingTrailing(_ characters: String) -> Substring {
        var text = self
        while let last = text.last, characters.contains(last) {
            text = text.dropLast()
        }
        return text
    }
}
