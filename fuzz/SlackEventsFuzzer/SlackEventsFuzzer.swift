import Foundation
import FuzzSupport
import Slack

/// Events API bodies (`POST /slack/events`): any bytes through the envelope decoder, then what the route and the
/// inbox worker read of it. Decoding may fail; it must not crash, and what it yields must be what the JSON said.
@main enum SlackEventsFuzzer {
    static func main() {
        FuzzDriver.main(testOneInput)
    }

    static func check(_ input: [UInt8]) {
        guard let envelope = try? JSONDecoder().decode(SlackEventEnvelope.self, from: Data(input)) else { return }
        // The same bytes decode the same way every time: the worker decodes what the route stored.
        let again = try? JSONDecoder().decode(SlackEventEnvelope.self, from: Data(input))
        FuzzInvariant.require(again?.type == envelope.type && again?.event == envelope.event, "decoding is not stable")
        // A generic JSON reading of the body agrees on the fields the route acts on. (Only for UTF-8 bodies:
        // JSONDecoder accepts invalid UTF-8 inside members it skips, JSONSerialization does not. Harmless here:
        // the inbox stores the body as bytea and every field read is a valid String.)
        guard String(validating: input, as: UTF8.self) != nil else { return }
        let object = try? JSONSerialization.jsonObject(with: Data(input), options: [.fragmentsAllowed])
        guard let members = object as? [String: Any] else {
            FuzzInvariant.require(false, "the envelope decoded from a body that is not a JSON object")
            return
        }
        FuzzInvariant.require(members["type"] as? String == envelope.type, "envelope type differs from the body's")
        FuzzInvariant.require(
            envelope.eventID == nil || members["event_id"] as? String == envelope.eventID,
            "event_id differs from the body's")
        if let event = envelope.event {
            let inner = members["event"] as? [String: Any]
            FuzzInvariant.require(inner?["type"] as? String == event.type, "event type differs from the body's")
            FuzzInvariant.require(
                event.text == nil || inner?["text"] as? String == event.text, "event text differs from the body's")
        }
    }
}

/// The input callback, under the name libFuzzer's own `main` links against (see `FuzzDriver`).
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    SlackEventsFuzzer.check(FuzzDriver.bytes(data, size))
    return 0
}
