import FuzzSupport
import HTTPClient
import Slack

/// Slash-command bodies (`POST /slack/commands`): any bytes through the form decoder and `SlackSlashCommand`.
/// A body may be refused; one that decodes must decode to what it says, and re-encoding its pairs must give them
/// back unchanged.
@main enum SlackCommandsFuzzer {
    static func main() {
        FuzzDriver.main(testOneInput)
    }

    static func check(_ input: [UInt8]) {
        let pairs: [(name: String, value: String)]
        do {
            pairs = try SlackFormDecoder.decode(input)
        } catch {
            FuzzInvariant.require((try? SlackFormDecoder.fields(input)) == nil, "fields accepted what decode refused")
            return
        }
        guard let fields = try? SlackFormDecoder.fields(input) else {
            FuzzInvariant.require(false, "fields refused what decode accepted")
            return
        }
        // fields keeps the first value of each name, and nothing else.
        FuzzInvariant.require(fields.count == Set(pairs.map(\.name)).count, "fields lost or invented a name")
        for (name, value) in fields {
            FuzzInvariant.require(pairs.first { $0.name == name }?.value == value, "fields did not keep the first value")
        }
        // What we send as a form comes back as it was.
        let encoded = Array(HTTPFormEncoding.encode(pairs.map { ($0.name, $0.value) }).utf8)
        let decoded = try? SlackFormDecoder.decode(encoded)
        FuzzInvariant.require(
            decoded.map { bytes(of: $0) == bytes(of: pairs) } ?? false, "re-encoded pairs do not decode to themselves")

        guard let command = try? SlackSlashCommand(form: fields) else { return }
        FuzzInvariant.require(command.command.hasPrefix("/"), "a command that does not start with /")
        FuzzInvariant.require(!command.userID.isEmpty, "a command without a user")
        FuzzInvariant.require(command.text == fields["text"] ?? "", "the command's text is not the form's")
    }

    /// Pairs as bytes, so that canonically equivalent but different text counts as different.
    static func bytes(of pairs: [(name: String, value: String)]) -> [[UInt8]] {
        pairs.flatMap { [Array($0.name.utf8), Array($0.value.utf8)] }
    }
}

/// The input callback, under the name libFuzzer's own `main` links against (see `FuzzDriver`).
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    SlackCommandsFuzzer.check(FuzzDriver.bytes(data, size))
    return 0
}
