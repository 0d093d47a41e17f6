import SMS
import Testing

@Suite struct SMSCommandParserTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let body: String
        let command: SMSCommand
        init(_ body: String, _ command: SMSCommand) {
            self.body = body
            self.command = command
        }
        var testDescription: String { "\"\(body)\"" }
    }

    static let optOut: [Case] = [
        Case("STOP", .optOut(.stop)), Case("stop", .optOut(.stop)), Case("  Stop \n", .optOut(.stop)),
        Case("STOPALL", .optOut(.stopAll)), Case("unsubscribe", .optOut(.unsubscribe)),
        Case("Cancel", .optOut(.cancel)), Case("END", .optOut(.end)), Case("quit", .optOut(.quit)),
        Case("REVOKE", .optOut(.revoke)), Case("OptOut", .optOut(.optOut)),
        Case("Stop.", .optOut(.stop)), Case("STOP!", .optOut(.stop)),
    ]

    static let keywords: [Case] = [
        Case("START", .optIn(.start)), Case("yes", .optIn(.yes)), Case(" Unstop ", .optIn(.unstop)),
        Case("HELP", .help), Case("info", .help), Case("Join", .join), Case("next", .next),
        Case("PROGRESS", .progress),
    ]

    static let answers: [Case] = [
        Case("A", .answer(optionIndex: 0)), Case("b", .answer(optionIndex: 1)), Case(" C ", .answer(optionIndex: 2)),
        Case("d", .answer(optionIndex: 3)), Case("a)", .answer(optionIndex: 0)), Case("(b)", .answer(optionIndex: 1)),
        Case("C.", .answer(optionIndex: 2)), Case("(D)", .answer(optionIndex: 3)), Case("1", .answer(optionIndex: 0)),
        Case("2", .answer(optionIndex: 1)), Case("3)", .answer(optionIndex: 2)), Case("4", .answer(optionIndex: 3)),
    ]

    static let times: [Case] = [
        Case("TIME 7:30", .setDeliveryTime(hour: 7, minute: 30)),
        Case("time 07:30", .setDeliveryTime(hour: 7, minute: 30)),
        Case("Time 19:05", .setDeliveryTime(hour: 19, minute: 5)),
        Case("TIME 7:30pm", .setDeliveryTime(hour: 19, minute: 30)),
        Case("TIME 7:30 PM", .setDeliveryTime(hour: 19, minute: 30)),
        Case("TIME 7pm", .setDeliveryTime(hour: 19, minute: 0)),
        Case("TIME 7 am", .setDeliveryTime(hour: 7, minute: 0)),
        Case("TIME 12am", .setDeliveryTime(hour: 0, minute: 0)),
        Case("TIME 12:15pm", .setDeliveryTime(hour: 12, minute: 15)),
        Case("TIME 6:45 a.m.", .setDeliveryTime(hour: 6, minute: 45)),
        Case("TIME 0:00", .setDeliveryTime(hour: 0, minute: 0)),
        Case("TIME 23:59", .setDeliveryTime(hour: 23, minute: 59)),
        Case("TIME 8", .setDeliveryTime(hour: 8, minute: 0)),
        Case("TIME 7.30", .setDeliveryTime(hour: 7, minute: 30)),
    ]

    static let timeZones: [Case] = [
        Case("TZ America/Chicago", .setTimeZone(identifier: "America/Chicago")),
        Case("tz america/chicago", .setTimeZone(identifier: "America/Chicago")),
        Case("TZ Europe/London", .setTimeZone(identifier: "Europe/London")),
        Case("timezone Asia/Kolkata", .setTimeZone(identifier: "Asia/Kolkata")),
    ]

    static let messages: [Case] = [
        Case("What is APR?", .message("What is APR?")), Case("  hello  ", .message("hello")),
        Case("stop sending me so much", .message("stop sending me so much")), Case("E", .message("E")),
        Case("5", .message("5")), Case("AB", .message("AB")), Case("time flies", .message("time flies")),
        Case("STARTED", .message("STARTED")), Case("yes please", .message("yes please")),
        Case("", .message("")), Case("Yes!", .message("Yes!")),
    ]

    @Test(arguments: optOut + keywords + answers + times + timeZones + messages)
    func bodyParsesToCommand(testCase: Case) {
        #expect(SMSCommandParser.parse(testCase.body) == testCase.command)
    }

    @Test func everyOptOutKeywordOfTwilioIsRecognised() {
        for word in ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"] {
            guard case .optOut = SMSCommandParser.parse(word.lowercased()) else {
                Issue.record("\(word) did not opt out")
                continue
            }
        }
        #expect(SMSKeyword.allCases.filter { $0.kind == .optOut }.count == 8)
    }

    @Test(arguments: [
        "TIME 25:00", "TIME 24:00", "TIME 7:60", "TIME 7:5", "TIME 13pm", "TIME 0am", "TIME 7:30:00",
        "TIME 123", "TIME 7:30 tomorrow", "TIME", "time  ",
    ])
    func badTimeIsInvalidWithHelp(body: String) throws {
        guard case .invalid(let reason) = SMSCommandParser.parse(body) else {
            Issue.record("\(body) was not rejected")
            return
        }
        #expect(reason.contains("TIME 7:30"))
    }

    @Test func badTimeQuotesTheInputBack() throws {
        guard case .invalid(let reason) = SMSCommandParser.parse("TIME 25:00") else {
            Issue.record("not rejected")
            return
        }
        #expect(reason.contains("\"25:00\""))
    }

    // Found with fuzz/SMSCommandsFuzzer's invariant: Foundation takes abbreviations and offsets as identifiers, but
    // Postgres (pg_timezone_names) knows neither, so the learner was told "Time zone set to PST." and got UTC.
    @Test(arguments: ["TZ PST", "TZ IST", "TZ GMT+5", "tz utc+2", "TZ GMT-0300"])
    func abbreviationOrOffsetIsNotATimeZone(body: String) {
        guard case .invalid(let reason) = SMSCommandParser.parse(body) else {
            Issue.record("\(body) was accepted as \(SMSCommandParser.parse(body))")
            return
        }
        #expect(reason.contains("TZ America/Chicago"))
    }

    @Test func tzDatabaseLinksAndUTCAreStillZones() {
        #expect(SMSCommandParser.parse("TZ US/Eastern") == .setTimeZone(identifier: "US/Eastern"))
        #expect(SMSCommandParser.parse("TZ Etc/GMT+5") == .setTimeZone(identifier: "Etc/GMT+5"))
        #expect(SMSCommandParser.parse("TZ UTC") == .setTimeZone(identifier: "GMT"))
        #expect(SMSCommandParser.parse("TZ Asia/Kolkata") == .setTimeZone(identifier: "Asia/Kolkata"))
    }

    @Test(arguments: ["TZ Mars/Olympus", "TZ", "TZ America/Chicago please", "tz nowhere"])
    func badTimeZoneIsInvalidWithHelp(body: String) {
        guard case .invalid(let reason) = SMSCommandParser.parse(body) else {
            Issue.record("\(body) was not rejected")
            return
        }
        #expect(reason.contains("TZ America/Chicago"))
    }
}
