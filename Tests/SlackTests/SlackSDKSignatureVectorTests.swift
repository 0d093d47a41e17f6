import Foundation
import Slack
import Testing

/// Our verifier against signatures made by Slack's own SDK (`Fixtures/slack-sdk-signature-vectors.json`,
/// produced with the official `slack_sdk` Python package for a fixed secret, timestamp and real-shaped bodies).
@Suite struct SlackSDKSignatureVectorTests {
    struct VectorFile: Decodable {
        struct Vector: Decodable {
            let name: String
            let body: String
            let signature: String
        }

        let note: String
        let slackSDKVersion: String
        let signingSecret: String
        let timestamp: String
        let vectors: [Vector]

        enum CodingKeys: String, CodingKey {
            case note, timestamp, vectors
            case slackSDKVersion = "slack_sdk_version"
            case signingSecret = "signing_secret"
        }
    }

    static func load() throws -> VectorFile {
        let url = try #require(
            Bundle.module.url(
                forResource: "slack-sdk-signature-vectors", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(VectorFile.self, from: Data(contentsOf: url))
    }

    static func failure(
        _ verifier: SlackSignatureVerifier, timestamp: String, signature: String, body: [UInt8], now: Date
    ) -> SlackVerificationError? {
        do {
            try verifier.verify(timestamp: timestamp, signature: signature, body: body, now: now)
            return nil
        } catch {
            return error
        }
    }

    @Test func signaturesFromSlacksSDKVerify() throws {
        let file = try Self.load()
        #expect(file.note.contains("slack_sdk"))
        #expect(!file.vectors.isEmpty)
        let verifier = SlackSignatureVerifier(signingSecret: file.signingSecret)
        let now = Date(timeIntervalSince1970: try #require(TimeInterval(file.timestamp)))
        for vector in file.vectors {
            let body = Array(vector.body.utf8)
            #expect(verifier.signature(timestamp: file.timestamp, body: body) == vector.signature, "\(vector.name)")
            #expect(
                Self.failure(verifier, timestamp: file.timestamp, signature: vector.signature, body: body, now: now)
                    == nil, "\(vector.name)")
        }
    }

    @Test func tamperedBodyOfAnSDKVectorFails() throws {
        let file = try Self.load()
        let verifier = SlackSignatureVerifier(signingSecret: file.signingSecret)
        let now = Date(timeIntervalSince1970: try #require(TimeInterval(file.timestamp)))
        for vector in file.vectors {
            var body = Array(vector.body.utf8)
            body[body.count / 2] ^= 0x01
            #expect(
                Self.failure(verifier, timestamp: file.timestamp, signature: vector.signature, body: body, now: now)
                    == .badSignature, "\(vector.name)")
            // A trailing newline is a different body too.
            #expect(
                Self.failure(
                    verifier, timestamp: file.timestamp, signature: vector.signature,
                    body: Array(vector.body.utf8) + [0x0A], now: now) == .badSignature, "\(vector.name)")
        }
    }

    @Test func sdkVectorFailsWithAnotherSecret() throws {
        let file = try Self.load()
        let verifier = SlackSignatureVerifier(signingSecret: file.signingSecret + "x")
        let now = Date(timeIntervalSince1970: try #require(TimeInterval(file.timestamp)))
        for vector in file.vectors {
            #expect(
                Self.failure(
                    verifier, timestamp: file.timestamp, signature: vector.signature, body: Array(vector.body.utf8),
                    now: now) == .badSignature, "\(vector.name)")
        }
    }
}
