import Foundation
import SMS
import Testing

/// Vectors produced by Twilio's official Python helper library (see the fixture's `note`).
struct TwilioSignatureVectors: Decodable, Sendable {
    struct FormVector: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let signedURL: String
        let requestURL: String
        let params: [[String]]
        let formBody: String
        let signature: String
        let valid: Bool
        var testDescription: String { name }
        var pairs: [(String, String)] { params.map { ($0[0], $0[1]) } }
        var hasIdenticalPairs: Bool { Set(params).count != params.count }
    }

    struct JSONVector: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let signedURL: String
        let requestURL: String
        let body: String
        let signature: String
        let valid: Bool
        var testDescription: String { name }
    }

    let note: String
    let authToken: String
    let formVectors: [FormVector]
    let jsonVectors: [JSONVector]

    struct MissingFixture: Error {}

    static func load() throws -> TwilioSignatureVectors {
        guard
            let url = Bundle.module.url(
                forResource: "twilio-signature-vectors", withExtension: "json",
                subdirectory: "Fixtures")
        else { throw MissingFixture() }
        return try JSONDecoder().decode(TwilioSignatureVectors.self, from: Data(contentsOf: url))
    }
}

@Suite struct TwilioSignatureVerifierTests {
    let vectors: TwilioSignatureVectors
    let verifier: TwilioSignatureVerifier

    init() throws {
        self.vectors = try TwilioSignatureVectors.load()
        self.verifier = TwilioSignatureVerifier(authToken: self.vectors.authToken)
    }

    @Test func fixtureComesFromTwilioHelperLibrary() {
        #expect(vectors.note.contains("official twilio Python helper library"))
        #expect(vectors.formVectors.contains { $0.valid } && vectors.formVectors.contains { !$0.valid })
    }

    @Test(arguments: try TwilioSignatureVectors.load().formVectors)
    func formSignatureAgreesWithTwilioLibrary(vector: TwilioSignatureVectors.FormVector) {
        #expect(
            verifier.isValid(signature: vector.signature, url: vector.requestURL, formParameters: vector.pairs)
                == vector.valid)
    }

    @Test(arguments: try TwilioSignatureVectors.load().formVectors)
    func parsedFormBodyVerifiesLikeTheParameters(vector: TwilioSignatureVectors.FormVector) throws {
        let parsed = try TwilioFormParser.parse(Array(vector.formBody.utf8))
        #expect(parsed.map { [$0.0, $0.1] } == vector.params)
        #expect(
            verifier.isValid(signature: vector.signature, url: vector.requestURL, formParameters: parsed)
                == vector.valid)
    }

    /// Identical repeated pairs are left out: the Python library signs them once, the verifier accepts both forms,
    /// and `signature` keeps every pair as Twilio's other helper libraries do.
    @Test(
        arguments: try TwilioSignatureVectors.load().formVectors.filter {
            $0.signedURL == $0.requestURL && $0.valid && !$0.hasIdenticalPairs
        })
    func computedSignatureEqualsTwilioLibrary(vector: TwilioSignatureVectors.FormVector) {
        let signature = TwilioSignatureVerifier.signature(
            authToken: vectors.authToken, url: vector.signedURL, parameters: vector.pairs.reversed()
        )
        #expect(signature == vector.signature)
    }

    @Test(arguments: try TwilioSignatureVectors.load().jsonVectors)
    func jsonBodySignatureAgreesWithTwilioLibrary(vector: TwilioSignatureVectors.JSONVector) {
        #expect(
            verifier.isValid(signature: vector.signature, url: vector.requestURL, jsonBody: Array(vector.body.utf8))
                == vector.valid)
    }

    @Test func missingOrEmptySignatureIsRejected() throws {
        let vector = try #require(vectors.formVectors.first { $0.valid })
        #expect(!verifier.isValid(signature: nil, url: vector.requestURL, formParameters: vector.pairs))
        #expect(!verifier.isValid(signature: "", url: vector.requestURL, formParameters: vector.pairs))
        let json = try #require(vectors.jsonVectors.first { $0.valid })
        #expect(!verifier.isValid(signature: nil, url: json.requestURL, jsonBody: Array(json.body.utf8)))
    }

    @Test func wrongTokenRejectsGenuineSignature() throws {
        let vector = try #require(vectors.formVectors.first { $0.valid })
        let other = TwilioSignatureVerifier(authToken: "not-the-token")
        #expect(!other.isValid(signature: vector.signature, url: vector.requestURL, formParameters: vector.pairs))
    }

    @Test func signatureWithFlippedCharacterIsRejected() throws {
        let vector = try #require(vectors.formVectors.first { $0.valid })
        var forged = Array(vector.signature)
        forged[0] = forged[0] == "A" ? "B" : "A"
        #expect(!verifier.isValid(signature: String(forged), url: vector.requestURL, formParameters: vector.pairs))
        let padded = vector.signature + " "
        #expect(!verifier.isValid(signature: padded, url: vector.requestURL, formParameters: vector.pairs))
    }

    @Test func jsonURLWithoutBodyHashIsRejected() throws {
        let vector = try #require(vectors.jsonVectors.first { $0.valid })
        let url = "https://gateway.example.com/twilio/sms"
        let signature = TwilioSignatureVerifier.signature(authToken: vectors.authToken, url: url, parameters: [])
        #expect(!verifier.isValid(signature: signature, url: url, jsonBody: Array(vector.body.utf8)))
    }

    @Test func nonDefaultPortIsNotDropped() {
        let signed = "https://gateway.example.com/twilio/sms"
        let signature = TwilioSignatureVerifier.signature(authToken: "t", url: signed, parameters: [("A", "1")])
        let verifier = TwilioSignatureVerifier(authToken: "t")
        #expect(verifier.isValid(signature: signature, url: signed, formParameters: [("A", "1")]))
        #expect(
            !verifier.isValid(
                signature: signature, url: "https://gateway.example.com:8443/twilio/sms", formParameters: [("A", "1")]))
        #expect(
            !verifier.isValid(
                signature: signature, url: "https://gateway.example.com:80/twilio/sms", formParameters: [("A", "1")]))
    }

    @Test func defaultPortIsFoundBehindUserInfoAndIPv6Literals() {
        let verifier = TwilioSignatureVerifier(authToken: "t")
        for (signed, requested) in [
            ("https://user:pw@gateway.example.com:443/sms", "https://user:pw@gateway.example.com/sms"),
            ("https://[2001:db8::1]:443/sms?x=1", "https://[2001:db8::1]/sms?x=1"),
            ("http://[2001:db8::1]/sms", "http://[2001:db8::1]:80/sms"),
        ] {
            let signature = TwilioSignatureVerifier.signature(authToken: "t", url: signed, parameters: [])
            #expect(verifier.isValid(signature: signature, url: requested, formParameters: []), "\(requested)")
        }
    }

    @Test func descriptionDoesNotRevealToken() {
        #expect(!String(describing: verifier).contains(vectors.authToken))
    }
}
