import FuzzSupport
import HTTPClient
import SMS
import Slack

/// Twilio webhook bodies (`POST /twilio/sms`, `/twilio/status`): any bytes as a form body and as a JSON body
/// (`TwilioWebhookFormat`), as a request URL's query, and as a `Content-Type`. Parsing may refuse; what it accepts
/// must round-trip, and the two form decoders of the gateway (Twilio's and Slack's) must agree on every body.
@main enum TwilioParametersFuzzer {
    static func main() {
        FuzzDriver.main(testOneInput)
    }

    static func check(_ input: [UInt8]) {
        checkForm(input)
        checkJSON(input)
        let text = String(decoding: input, as: UTF8.self)
        _ = TwilioWebhookFormat(contentType: text)
        if let query = try? TwilioFormParser.queryParameters(of: text) {
            FuzzInvariant.require(text.utf8.contains(UInt8(ascii: "?")) || query.isEmpty, "a query from no ?")
        }
    }

    static func checkForm(_ body: [UInt8]) {
        let twilio = try? TwilioWebhookFormat.form.parameters(of: body)
        let slack = try? SlackFormDecoder.decode(body)
        FuzzInvariant.require(
            bytes(of: twilio) == bytes(of: slack?.map { ($0.name, $0.value) }),
            "the Twilio and Slack form decoders disagree")
        guard let pairs = twilio else { return }
        let encoded = Array(HTTPFormEncoding.encode(pairs).utf8)
        FuzzInvariant.require(
            bytes(of: try? TwilioFormParser.parse(encoded)) == bytes(of: pairs),
            "re-encoded parameters do not parse to themselves")
        // The controller checks From as E.164; a number it accepts is kept exactly and masked when printed.
        for (name, value) in pairs where name == "From" || name == "To" {
            guard let number = try? PhoneNumber(validating: value) else { continue }
            FuzzInvariant.require(number.e164 == value, "PhoneNumber changed the number")
            let shown = number.description
            FuzzInvariant.require(
                shown.count == value.count && shown.hasSuffix(value.suffix(4))
                    && shown.dropFirst().dropLast(4).allSatisfy { $0 == "*" },
                "PhoneNumber.description does not mask the number")
        }
    }

    static func checkJSON(_ body: [UInt8]) {
        guard let pairs = try? TwilioWebhookFormat.json.parameters(of: body) else { return }
        // An object's members come sorted by name, each name once.
        for (left, right) in zip(pairs, pairs.dropFirst()) {
            FuzzInvariant.require(
                left.0.utf8.lexicographicallyPrecedes(right.0.utf8), "JSON parameters are not sorted by name")
        }
    }

    /// Pairs as bytes, so that canonically equivalent but different text counts as different.
    static func bytes(of pairs: [(String, String)]?) -> [[UInt8]]? {
        pairs?.flatMap { [Array($0.0.utf8), Array($0.1.utf8)] }
    }
}

/// The input callback, under the name libFuzzer's own `main` links against (see `FuzzDriver`).
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    TwilioParametersFuzzer.check(FuzzDriver.bytes(data, size))
    return 0
}
