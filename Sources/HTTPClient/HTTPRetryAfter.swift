import Foundation

/// Parses `Retry-After` (RFC 9110 §10.2.3): `delta-seconds` or an `HTTP-date` in any of the three formats a
/// recipient must accept (IMF-fixdate, obsolete RFC 850, asctime). Written by hand rather than with
/// `DateFormatter` so the result does not depend on locale or formatter thread-safety.
package enum HTTPRetryAfter {
    /// The wait `value` asks for, measured from `now`; `nil` if `value` is neither form.
    package static func parse(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // An absurd number of digits is as unusable as garbage.
            return Int64(trimmed).map { .seconds($0) }
        }
        guard let date = self.parseHTTPDate(trimmed, now: now) else { return nil }
        let wait = date.timeIntervalSince(now)
        return wait > 0 ? .milliseconds(Int64((wait * 1000).rounded())) : .zero
    }

    /// An HTTP-date, or `nil`. `now` resolves the century of RFC 850's two-digit years.
    package static func parseHTTPDate(_ value: String, now: Date = Date()) -> Date? {
        let tokens = value.split { $0 == " " || $0 == "," || $0 == "-" }.map(String.init)
        let day: Int
        let month: Int
        var year: Int
        let time: String
        switch tokens.count {
        case 6:
            // IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" or RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT".
            guard self.isWeekday(tokens[0]), tokens[5] == "GMT",
                let parsedDay = self.number(tokens[1], digits: 1...2),
                let parsedMonth = self.month(tokens[2]),
                let parsedYear = self.number(tokens[3], digits: 2...4), tokens[3].count != 3
            else { return nil }
            (day, month, year, time) = (parsedDay, parsedMonth, parsedYear, tokens[4])
            if tokens[3].count == 2 {
                // RFC 9110: a two-digit year more than 50 years in the future means the previous century.
                let currentYear = Calendar(identifier: .gregorian).dateComponents(in: .gmt, from: now).year ?? 2000
                year += currentYear / 100 * 100
                if year > currentYear + 50 { year -= 100 }
            }
        case 5:
            // asctime "Sun Nov  6 08:49:37 1994".
            guard self.isWeekday(tokens[0]), let parsedMonth = self.month(tokens[1]),
                let parsedDay = self.number(tokens[2], digits: 1...2),
                let parsedYear = self.number(tokens[4], digits: 4...4)
            else { return nil }
            (day, month, year, time) = (parsedDay, parsedMonth, parsedYear, tokens[3])
        default:
            return nil
        }
        let clock = time.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard clock.count == 3,
            let hour = self.number(clock[0], digits: 2...2), hour < 24,
            let minute = self.number(clock[1], digits: 2...2), minute < 60,
            let second = self.number(clock[2], digits: 2...2), second <= 60,
            day >= 1, day <= self.daysIn(month: month, year: year)
        else { return nil }
        let days = self.daysFromCivil(year: year, month: month, day: day)
        let seconds = ((days * 24 + hour) * 60 + minute) * 60 + second
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static let weekdays: Set<String> = [
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    ]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func isWeekday(_ token: String) -> Bool {
        self.weekdays.contains(token)
    }

    private static func month(_ token: String) -> Int? {
        self.months.firstIndex(of: token).map { $0 + 1 }
    }

    private static func number(_ token: String, digits: ClosedRange<Int>) -> Int? {
        guard digits.contains(token.utf8.count),
            token.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int(token)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's `days_from_civil`).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
