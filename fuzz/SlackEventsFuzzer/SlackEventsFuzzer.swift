import Foundation
import FuzzSupport
import Slack

/// Events API bodies (`POST /slack/events`): any bytes through the route's scan and the envelope decoder, then what
/// the route and the inbox worker read of it. Decoding may fail; it must not crash, and what it yields must be what
/// the JSON said.
@main enum SlackEventsFuzzer {
    static func main() {
        FuzzDriver.main(testOneInput)
    }

    static func check(_ input: [UInt8]) {
        let decoded = try? JSONDecoder().decode(SlackEventEnvelope.self, from: Data(input))
        // The route reads bodies through SlackEventSummary: what its scan settles, the decoder reads the same way.
        if let scanned = SlackEventScanner.summary(of: input) {
            FuzzInvariant.require(
                decoded.map(SlackEventSummary.init(envelope:)) == scanned, "the scan and the decoder disagree")
        }
        guard let envelope = decoded else { return }
        // The same bytes decode the same way every time: the worker decodes what the route stored.
        let again = try? JSONDecoder().decode(SlackEventEnvelope.self, from: Data(input))
        FuzzInvariant.require(again?.type == envelope.type && again?.event == envelope.event, "decoding is not stable")
        // The envelope's fields are the body's: decoding what a strict JSON reader made of the body gives the
        // values that reader sees. (Not the body itself: JSONDecoder skips the members it does not read without
        // validating them, so raw control characters or invalid UTF-8 there pass where JSONSerialization refuses
        // the body, and the two keep different values of a repeated name. Harmless: the body was verified as
        // Slack's, the inbox stores it as bytea, and route and worker decode it with the same decoder.)
        guard
            let members = (try? JSONSerialization.jsonObject(with: Data(input), options: [])) as? [String: Any],
            let normalised = try? JSONSerialization.data(withJSONObject: members),
            let strict = try? JSONDecoder().decode(SlackEventEnvelope.self, from: normalised)
        else { return }
        FuzzInvariant.require(members["type"] as? String == strict.type, "envelope type differs from the body's")
        FuzzInvariant.require(
            strict.eventID == nil || members["event_id"] as? String == strict.eventID,
            "event_id differs from the body's")
        if let event = strict.event {
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
