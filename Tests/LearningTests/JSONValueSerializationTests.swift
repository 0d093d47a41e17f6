import Foundation
import Learning
import Testing

/// The direct JSON writer against Foundation's reader and encoder.
@Suite struct JSONValueSerializationTests {
    static let awkward: [String] = [
        "", "plain", "quote \" and backslash \\ and slash /", "line\nbreak\rreturn\ttab", "\u{0}\u{1}\u{8}\u{C}\u{1F}",
        "\u{7F} delete", "émoji 👩🏽‍💻 and ⚠️", "<script>&amp;</script>", "\u{2028}\u{2029}", "a\u{301}", "\\u0041",
    ]

    static var sample: JSONValue {
        var members: [String: JSONValue] = [:]
        for (index, text) in awkward.enumerated() { members["key \(index) \(text)"] = .string(text) }
        return .object([
            "strings": .object(members), "list": .array(awkward.map(JSONValue.string)),
            "numbers": .array([
                0, 1, -1, .number(3.0), .number(0.5), .number(-2.25), .number(1e15), .number(1e-7),
                .number(123_456_789_012_345), .number(1.5e300),
            ]),
            "flags": .array([true, false, .null]), "empty": .object([:]), "none": .array([]),
            "nested": .array([.object(["a": .array([.object(["b": "c"])])])]),
        ])
    }

    @Test func foundationReadsBackWhatWasWritten() throws {
        let value = Self.sample
        let written = value.serialized()
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(written)) == value)
        // And the same value as Foundation's encoder would give, once both are read back.
        let viaEncoder = try JSONEncoder().encode(value)
        #expect(
            try JSONDecoder().decode(JSONValue.self, from: viaEncoder)
                == JSONDecoder().decode(JSONValue.self, from: Data(written)))
        #expect(try JSONSerialization.jsonObject(with: Data(written)) is [String: Any])
    }

    @Test func wholeNumbersAreIntegersAndOtherNumbersRoundTrip() {
        #expect(
            String(
                decoding: JSONValue.array([3, .number(3.0), .number(-0.0), .number(0.5)]).serialized(), as: UTF8.self)
                == "[3,3,0,0.5]")
        #expect(String(decoding: JSONValue.number(.nan).serialized(), as: UTF8.self) == "null")
        #expect(String(decoding: JSONValue.number(.infinity).serialized(), as: UTF8.self) == "null")
    }

    @Test func controlCharactersQuotesAndBackslashesAreEscapedAndNothingElse() {
        let text = String(decoding: JSONValue.string("a\"b\\c\n\u{1}/é").serialized(), as: UTF8.self)
        #expect(text == #""a\"b\\c\n\u0001/é""#)
    }

    @Test func sortedKeysAreSortedAtEveryLevel() {
        let value: JSONValue = ["b": ["z": 1, "a": 2], "a": [["y": true, "x": false]]]
        #expect(
            String(decoding: value.serialized(sortedKeys: true), as: UTF8.self)
                == #"{"a":[{"x":false,"y":true}],"b":{"a":2,"z":1}}"#)
        #expect(value.jsonText == String(decoding: value.serialized(sortedKeys: true), as: UTF8.self))
    }
}
