import Foundation
import HTTPClient
import Testing

@Suite("Request building and response parsing")
struct HTTPHelpersTests {
    @Test func formEncodingFollowsWHATWG() {
        let encoded = HTTPFormEncoding.encode([("b", "1 2"), ("a", "x&y=z+~*-._"), ("ü", "✓")])
        #expect(encoded == "b=1+2&a=x%26y%3Dz%2B%7E*-._&%C3%BC=%E2%9C%93")
        #expect(HTTPFormEncoding.encode([]) == "")
    }

    @Test func formRequestSetsContentTypeAndBody() {
        let request = HTTPRequest.form(url: "https://example.test/x", fields: [("To", "+15551234567")])
        #expect(request.method == .post)
        #expect(request.header("content-type") == "application/x-www-form-urlencoded")
        #expect(request.body == Array("To=%2B15551234567".utf8))
    }

    @Test func jsonRequestKeepsAnExplicitContentType() throws {
        let request = try HTTPRequest.json(
            .put,
            url: "https://example.test/x",
            body: ["k": "v"],
            headers: [(name: "Content-Type", value: "application/vnd.custom+json")]
        )
        #expect(request.method == .put)
        #expect(request.headers.filter { $0.name.lowercased() == "content-type" }.count == 1)
        #expect(request.header("Content-Type") == "application/vnd.custom+json")
    }

    @Test func descriptionsHideSecrets() {
        var request = HTTPRequest(
            url: "https://user:pw@api.example.test/send?token=abc#frag",
            headers: [(name: "Cookie", value: "sid=zzz")]
        )
        request.basicAuth(user: "user", password: "hunter2")
        let text = request.description
        #expect(text.contains("https://api.example.test/send"))
        for secret in ["abc", "pw@", "zzz", "hunter2", request.header("Authorization") ?? "?"] {
            #expect(!text.contains(secret))
        }
        let error = HTTPClientError(.timeout, message: "slow", url: "http://u:p@h:8080/p?q=1")
        #expect(error.url == "http://h:8080/p")
        #expect(error.description == "HTTPClientError.timeout: slow (http://h:8080/p)")
    }

    @Test(arguments: [
        ("0", Duration.zero),
        ("120", .seconds(120)),
        ("  7 ", .seconds(7)),
        // The three HTTP-date formats, all naming now + 90 s (now is 1994-11-06T08:48:07Z below).
        ("Sun, 06 Nov 1994 08:49:37 GMT", .seconds(90)),
        ("Sunday, 06-Nov-94 08:49:37 GMT", .seconds(90)),
        ("Sun Nov  6 08:49:37 1994", .seconds(90)),
        ("Sat, 05 Nov 1994 08:49:37 GMT", .zero),
    ])
    func retryAfterParsesValidForms(value: String, expected: Duration) {
        let now = Date(timeIntervalSince1970: 784_111_687)
        #expect(HTTPRetryAfter.parse(value, now: now) == expected)
    }

    @Test(arguments: [
        "", "soon", "-5", "1.5", "5s", "99999999999999999999999", "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 06 Foo 1994 08:49:37 GMT",
    ])
    func retryAfterRejectsGarbage(value: String) {
        #expect(HTTPRetryAfter.parse(value, now: Date()) == nil)
    }

    @Test func responseHelpersReadHeadersAndJSON() throws {
        let response = HTTPResponse(
            status: 429,
            headers: [(name: "retry-after", value: "3"), (name: "Content-Type", value: "application/json")],
            body: Array(#"{"ok":false}"#.utf8)
        )
        #expect(response.retryAfter == .seconds(3))
        #expect(response.header("CONTENT-TYPE") == "application/json")
        struct Body: Decodable { var ok: Bool }
        #expect(try response.decode(Body.self).ok == false)
        #expect(response.bodyText == #"{"ok":false}"#)
    }
}
