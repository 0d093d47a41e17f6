import FuzzSupport
import HTTPClient
import Slack

/// Interactivity bodies (`POST /slack/interactions`): a form whose `payload` field holds JSON. Each input is
/// tried twice: as the whole form body, as the route receives it, and as the payload JSON itself, form-encoded the
/// way Slack sends it, so that mutations reach the JSON decoder instead of mostly breaking percent escapes.
@main enum SlackInteractionsFuzzer {
    static func main() {
        FuzzDriver.main(testOneInput)
    }

    static func check(_ input: [UInt8]) {
        checkForm(input)
        let payload = HTTPFormEncoding.escape(String(decoding: input, as: UTF8.self))
        checkForm(Array(("payload=" + payload).utf8))
    }

    static func checkForm(_ body: [UInt8]) {
        guard let interaction = try? SlackInteraction.decode(formBody: body) else { return }
        // The inbox deduplicates on this key: it always starts with the user who acted.
        // (Compared as bytes: a combining mark after a `:` would merge with it into one Character.)
        let key = Array(interaction.dedupeKey.utf8)
        let user = Array((interaction.user.id + ":").utf8)
        FuzzInvariant.require(key.starts(with: user), "dedupe key does not start with the user")
        if let action = interaction.actions.first {
            FuzzInvariant.require(
                key.dropFirst(user.count).starts(with: Array((action.actionID + ":").utf8)),
                "dedupe key does not carry the first action")
        }
    }
}

/// The input callback, under the name libFuzzer's own `main` links against (see `FuzzDriver`).
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    SlackInteractionsFuzzer.check(FuzzDriver.bytes(data, size))
    return 0
}
