import Foundation
import Slack
import Testing
import WebhookSamples

/// The events route reads bodies through `SlackEventSummary`; it must accept, refuse and read exactly what decoding
/// the whole envelope with `JSONDecoder` does.
@Suite struct SlackEventSummaryTests {
    static let eventSamples = [
        "event_message_im.json", "event_app_mention.json", "event_message_bot.json", "event_app_home_opened.json",
        "url_verification.json",
    ]

    /// The decoder's reading of `body`: its summary, or nil when it refuses the body.
    static func decoded(_ body: [UInt8]) -> SlackEventSummary? {
        (try? JSONDecoder().decode(SlackEventEnvelope.self, from: Data(body))).map(SlackEventSummary.init(envelope:))
    }

    /// The summary agrees with the decoder on `body`; returns whether the scan settled it alone.
    @discardableResult
    static func expectAgreement(_ body: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let expected = decoded(body)
        let summary = try? SlackEventSummary(body: body)
        #expect(summary == expected, "\(String(decoding: body, as: UTF8.self))", sourceLocation: sourceLocation)
        guard let scanned = SlackEventScanner.summary(of: body) else { return false }
        #expect(scanned == expected, "scan: \(String(decoding: body, as: UTF8.self))", sourceLocation: sourceLocation)
        return true
    }

    @Test(arguments: eventSamples)
    func everySampleIsSettledByTheScanAsTheDecoderReadsIt(name: String) throws {
        let body = try WebhookSamples.data(provider: "slack", name: name)
        #expect(Self.expectAgreement(body))
    }

    @Test func bodiesTheScanLeavesToTheDecoderGetTheDecodersAnswer() {
        let bodies = [
            // Repeated names: the decoder reads the first.
            #"{"type":"event_callback","type":"url_verification","event_id":"Ev1","event":{"type":"m"}}"#,
            #"{"type":"event_callback","event_id":"Ev1","event_id":"Ev2","event":{"type":"m"}}"#,
            #"{"type":"event_callback","event_id":"Ev1","event":{"type":"m","user":"U1","user":"U2"}}"#,
            // Escaped names and values the route reads.
            #"{"ty\u0070e":"event_callback","event_id":"Ev1","event":{"type":"m"}}"#,
            #"{"type":"event_callback","event_id":"Ev\u0031","event":{"type":"m","user":"U\/1"}}"#,
            #"{"type":"url_verification","challenge":"a\"b"}"#,
            // What the decoder tolerates and the scan does not: trailing commas, leading zeros, a byte order mark.
            #"{"type":"event_callback","event_id":"Ev1","event":{"type":"m","blocks":[1,2,]}}"#,
            #"{"type":"event_callback","event_id":"Ev1","x":01,"event":{"type":"m"}}"#,
            "\u{FEFF}{\"type\":\"event_callback\",\"event_id\":\"Ev1\",\"event\":{\"type\":\"m\"}}",
            // Unpaired surrogates: refused by the decoder in a field it reads, ignored elsewhere.
            #"{"type":"event_callback","event_id":"Ev1","event":{"type":"m","text":"\ud800"}}"#,
            #"{"type":"event_callback","event_id":"Ev1","event":{"type":"m","text":"\udc00\ud800"}}"#,
            #"{"type":"event_callback","event_id":"Ev1","event":{"type":"m","blocks":["\ud800"]}}"#,
            // Numbers the decoder turns into an Int64 (or not).
            #"{"type":"event_callback","event_id":"Ev1","event_time":1.0,"event":{"type":"m"}}"#,
            #"{"type":"event_callback","event_id":"Ev1","event_time":1e3,"event":{"type":"m"}}"#,
            #"{"type":"event_callback","event_id":"Ev1","event_time":99999999999999999999,"event":{"type":"m"}}"#,
            #"{"type":"event_callback","event_id":"Ev1","event_time":"1","event":{"type":"m"}}"#,
            // Fields of the wrong type, or missing.
            #"{"type":"event_callback","event_id":"Ev1","event":{"type":1}}"#,
            #"{"type":"event_callback","event_id":"Ev1","event":{"user":"U1"}}"#,
            #"{"type":"event_callback","event_id":"Ev1","event":{"type":"m","text":5}}"#,
            #"{"type":"event_callback","event_id":"Ev1","team_id":[],"event":{"type":"m"}}"#,
            #"{"type":"event_callback","event_id":7,"event":{"type":"m"}}"#,
            #"{"type":"event_callback","event_id":"Ev1","event":[]}"#,
            #"{"type":"event_callback","event_id":"Ev1","event":null}"#,
            #"{"type":null}"#,
            #"{"event_id":"Ev1"}"#,
            // Not an object, not JSON, cut short, trailing bytes.
            #"["type"]"#, "", "{", #"{"type":"event_callback""#, #"{"type":"a"} x"#, #"{"type":"a"}}"#,
            "{\"type\":\"a\u{1}\"}", "{\"type\":\"\u{E9}\"}",
        ]
        for body in bodies { Self.expectAgreement(Array(body.utf8)) }
        // Invalid UTF-8 in a field the decoder reads and in one it skips.
        Self.expectAgreement(Array(#"{"type":"a","challenge":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8))
        Self.expectAgreement(Array(#"{"type":"a","other":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8))
        // Deep nesting.
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        Self.expectAgreement(Array(#"{"type":"a","x":\#(deep)}"#.utf8))
    }

    @Test func plainBodiesAreSettledByTheScanAlone() {
        let bodies = [
            #"{"type":"event_callback","event_id":"Ev1","event":{"type":"message","user":"U1","channel":"D1","text":"a\nb \u00e9 \ud83d\ude00 \/"}}"#,
            #" { "type" : "event_callback" , "event_id" : "Ev1" , "event_time" : -12 , "event" : { "type" : "m" } } "#,
            #"{"type":"event_callback","event_id":"Ev1","event":{"type":"m","user":null,"channel":null,"x":{"y":[true,false,null,-0.5e+3]}}}"#,
            #"{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","token":"t"}"#,
            #"{"type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820,"api_app_id":"A1"}"#,
            "{\"type\":\"event_callback\",\"event_id\":\"Ev1\",\"event\":{\"type\":\"m\",\"text\":\"\u{E9}\u{1F600}\"}}",
        ]
        for body in bodies { #expect(Self.expectAgreement(Array(body.utf8))) }
    }

    /// Every sample cut short at every byte, with every byte dropped or replaced, and with JSON's tokens and
    /// broken UTF-8 spliced in all along: each one read as the decoder reads it.
    @Test func mutatedSamplesGetTheDecodersAnswer() throws {
        let pieces: [[UInt8]] =
            [
                "\"", "\\", "\\u", "\\ud800", "{", "}", "[", "]", ",", ":", "null", "0", "-", "1e", ".5", " ",
                "\"type\":", "\"event_id\":", "\"event\":", "\"user\":", "\"channel\":", "\"event_time\":", "\u{1}",
                "\"type\":\"event_callback\",", "\"event\":{\"type\":\"m\"},",
            ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF0, 0x9F, 0x98, 0x80]]
        var settled = 0
        for name in Self.eventSamples {
            let sample = try WebhookSamples.data(provider: "slack", name: name)
            var bodies: [[UInt8]] = []
            for at in sample.indices {
                bodies.append(Array(sample[..<at]))
                var dropped = sample
                dropped.remove(at: at)
                bodies.append(dropped)
                for byte: UInt8 in [0x22, 0x5C, 0x7D, 0x80] {
                    var replaced = sample
                    replaced[at] = byte
                    bodies.append(replaced)
                }
                if at.isMultiple(of: 7) {
                    for piece in pieces {
                        var spliced = sample
                        spliced.insert(contentsOf: piece, at: at)
                        bodies.append(spliced)
                    }
                }
            }
            for body in bodies where Self.expectAgreement(body) { settled += 1 }
        }
        // Most mutations break the JSON; the scan still settles many of the rest by itself.
        #expect(settled > 1000)
    }
}
