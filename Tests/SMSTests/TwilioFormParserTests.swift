import SMS
import Testing

@Suite struct TwilioFormParserTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let body: String
        let pairs: [[String]]
        var testDescription: String { "\"\(body)\"" }
    }

    @Test(arguments: [
        Case(body: "", pairs: []),
        Case(body: "Body=Hello+World", pairs: [["Body", "Hello World"]]),
        Case(body: "Body=a%2Bb%3Dc%26d", pairs: [["Body", "a+b=c&d"]]),
        Case(body: "Body=caf%C3%A9+%F0%9F%98%80", pairs: [["Body", "café 😀"]]),
        Case(body: "Body=%e2%82%ac", pairs: [["Body", "€"]]),
        Case(body: "A=1&&B=2&", pairs: [["A", "1"], ["B", "2"]]),
        Case(body: "Flag&Empty=", pairs: [["Flag", ""], ["Empty", ""]]),
        Case(body: "Body=x=y", pairs: [["Body", "x=y"]]),
        Case(body: "Media=1&Media=2", pairs: [["Media", "1"], ["Media", "2"]]),
        Case(body: "N%61me=%20v", pairs: [["Name", " v"]]),
        Case(body: "Body=caf\u{E9}", pairs: [["Body", "café"]]),
    ])
    func wellFormedBodiesDecode(testCase: Case) throws {
        let pairs = try TwilioFormParser.parse(Array(testCase.body.utf8))
        #expect(pairs.map { [$0.0, $0.1] } == testCase.pairs)
    }

    @Test(arguments: ["Body=%", "Body=%4", "Body=%zz", "Body=%G1", "Body=100%", "%=x", "Body=%C3%28", "Body=%FF"])
    func malformedBodiesAreRejected(body: String) {
        #expect(throws: SMSError.self) { try TwilioFormParser.parse(Array(body.utf8)) }
        do {
            _ = try TwilioFormParser.parse(Array(body.utf8))
        } catch {
            #expect(error.code == .malformedForm)
        }
    }

    @Test func rawInvalidUTF8IsRejected() {
        #expect(throws: SMSError.self) { try TwilioFormParser.parse([0x42, 0x3D, 0xC3]) }
    }

    @Test func queryParametersIgnoreFragmentAndPath() throws {
        let pairs = try TwilioFormParser.queryParameters(of: "https://h/p?bodySHA256=ab%63&x=1#frag")
        #expect(pairs.map { [$0.0, $0.1] } == [["bodySHA256", "abc"], ["x", "1"]])
        #expect(try TwilioFormParser.queryParameters(of: "https://h/p").isEmpty)
    }

    @Test func errorDescriptionDoesNotEchoInput() {
        do {
            _ = try TwilioFormParser.parse(Array("From=%2B15551234567&Body=secret%ZZ".utf8))
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("secret"))
            #expect(!error.description.contains("1555"))
        }
    }
}
