import Foundation
import FuzzSupport
import SMS

/// The body of an inbound SMS through `SMSCommandParser` (keywords, answers, `TIME`, `TZ`): any text gives a command
/// whose values are in range, and surrounding whitespace never changes which command it is.
@main enum SMSCommandsFuzzer {
    static func main() {
        FuzzDriver.main(testOneInput)
    }

    static let zoneinfo = "/usr/share/zoneinfo"
    static let knownZones = Set(TimeZone.knownTimeZoneIdentifiers)

    /// A zone of the tz database: a zoneinfo file when the machine has them, else one Foundation lists.
    static func isDatabaseZone(_ identifier: String) -> Bool {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: zoneinfo, isDirectory: &isFolder), isFolder.boolValue else {
            return knownZones.contains(identifier)
        }
        guard !identifier.split(separator: "/").contains("..") else { return false }
        return FileManager.default.fileExists(atPath: zoneinfo + "/" + identifier, isDirectory: &isFolder)
            && !isFolder.boolValue
    }

    static func check(_ input: [UInt8]) {
        let body = String(decoding: input, as: UTF8.self)
        let command = SMSCommandParser.parse(body)
        switch command {
        case .optOut(let keyword):
            FuzzInvariant.require(keyword.kind == .optOut, "optOut from \(keyword)")
        case .optIn(let keyword):
            FuzzInvariant.require(keyword.kind == .optIn, "optIn from \(keyword)")
        case .answer(let index):
            FuzzInvariant.require((0...3).contains(index), "answer index \(index)")
        case .setDeliveryTime(let hour, let minute):
            FuzzInvariant.require((0..<24).contains(hour) && (0..<60).contains(minute), "time \(hour):\(minute)")
        case .setTimeZone(let identifier):
            // Stored for Postgres, which knows the tz database's names (pg_timezone_names, from the zoneinfo files
            // on Debian) and quietly uses UTC for anything else.
            FuzzInvariant.require(
                isDatabaseZone(identifier), "\(FuzzInvariant.quoted(body)) set the zone \(identifier)")
        case .invalid(let reason):
            FuzzInvariant.require(!reason.isEmpty, "an invalid command without a reason")
        case .message(let text):
            FuzzInvariant.require(
                text.first?.isWhitespace != true && text.last?.isWhitespace != true,
                "message text \(FuzzInvariant.quoted(text)) keeps surrounding whitespace")
            FuzzInvariant.require(SMSKeyword(matching: text) == nil, "a keyword read as a message")
        case .help, .join, .next, .progress:
            break
        }
        // Line feeds around the body change nothing. (Line feeds, not spaces: a space followed by a combining mark
        // is one Character that is not whitespace, so it would change the text rather than surround it.)
        let wrapped = SMSCommandParser.parse("\n" + body + "\n")
        FuzzInvariant.require(
            wrapped == command, "\(FuzzInvariant.quoted(body)) is \(command), but with line feeds around it \(wrapped)")
    }
}

/// The input callback, under the name libFuzzer's own `main` links against (see `FuzzDriver`).
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    SMSCommandsFuzzer.check(FuzzDriver.bytes(data, size))
    return 0
}
