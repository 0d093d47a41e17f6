import Foundation
import Gateway
import SMS
import Signing
import Slack
import Synchronization
import Testing

/// Every decision on a presented credential (Slack signature, Twilio signature and body hash, API key) goes through
/// `CredentialComparator`, and production only ever uses `.constantTime` (OpenSSL's `CRYPTO_memcmp`). Proved by
/// structure rather than by timing, which is flaky on a shared machine: a recording comparator sees every
/// comparison, the verdict follows its answer alone, and no source file builds another comparator.
/// `ConstantTimeTests` checks `CRYPTO_memcmp`'s timing itself, loosely, as a sanity check.
@Suite struct CredentialComparisonTests {
    /// A comparator that records what it compared and answers `verdict`.
    final class Recorder: Sendable {
        let verdict: Bool
        private let seen = Mutex<[(expected: [UInt8], presented: [UInt8])]>([])

        init(verdict: Bool) { self.verdict = verdict }

        var comparisons: [(expected: [UInt8], presented: [UInt8])] { seen.withLock { $0 } }

        var comparator: CredentialComparator {
            CredentialComparator(name: "recorder") { expected, presented in
                self.seen.withLock { $0.append((expected, presented)) }
                return self.verdict
            }
        }
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func verifiersCompareInConstantTimeUnlessTold() {
        #expect(SlackSignatureVerifier(signingSecret: "s").comparator.name == "CRYPTO_memcmp")
        #expect(TwilioSignatureVerifier(authToken: "t").comparator.name == "CRYPTO_memcmp")
        #expect(APIKeyVerifier(keys: ["k"]).comparator.name == "CRYPTO_memcmp")
    }

    @Test func slackSignaturesAreDecidedByTheComparatorAlone() throws {
        let body = Array(#"{"type":"event_callback"}"#.utf8)
        let now = Date()
        let timestamp = String(Int64(now.timeIntervalSince1970))
        let right = SlackSignatureVerifier(signingSecret: "secret").signature(timestamp: timestamp, body: body)

        // A right signature the comparator calls different is refused...
        let refusing = Recorder(verdict: false)
        #expect(throws: SlackVerificationError.badSignature) {
            try SlackSignatureVerifier(signingSecret: "secret", comparator: refusing.comparator).verify(
                timestamp: timestamp, signature: right, body: body, now: now)
        }
        #expect(refusing.comparisons.count == 1)
        #expect(Self.text(refusing.comparisons[0].expected) == right)
        #expect(Self.text(refusing.comparisons[0].presented) == right)

        // ...and a wrong one it calls equal is accepted: nothing else decides.
        let accepting = Recorder(verdict: true)
        let wrong = "v0=" + String(repeating: "0", count: 64)
        try SlackSignatureVerifier(signingSecret: "secret", comparator: accepting.comparator).verify(
            timestamp: timestamp, signature: wrong, body: body, now: now)
        #expect(accepting.comparisons.count == 1)
        #expect(Self.text(accepting.comparisons[0].expected) == right)
        #expect(Self.text(accepting.comparisons[0].presented) == wrong)
    }

    @Test func twilioSignaturesAndBodyHashesAreDecidedByTheComparatorAlone() {
        let url = "https://learn.example.com/twilio/sms"
        let parameters = [("Body", "hi"), ("From", "+15551234567")]
        let right = TwilioSignatureVerifier.signature(authToken: "token", url: url, parameters: parameters)

        let refusing = Recorder(verdict: false)
        let strict = TwilioSignatureVerifier(authToken: "token", comparator: refusing.comparator)
        #expect(!strict.isValid(signature: right, url: url, formParameters: parameters))
        #expect(!refusing.comparisons.isEmpty)
        #expect(refusing.comparisons.allSatisfy { Self.text($0.presented) == right })
        #expect(refusing.comparisons.contains { Self.text($0.expected) == right })

        let accepting = Recorder(verdict: true)
        let lenient = TwilioSignatureVerifier(authToken: "token", comparator: accepting.comparator)
        #expect(lenient.isValid(signature: "forged", url: url, formParameters: parameters))
        #expect(accepting.comparisons.count == 1)

        // JSON: the body's hash and the URL's signature are both compared, always both.
        let body = Array(#"{"Body":"hi"}"#.utf8)
        let jsonURL = url + "?bodySHA256=" + Digest.sha256Hex(body)
        let jsonSignature = TwilioSignatureVerifier.signature(authToken: "token", url: jsonURL, parameters: [])
        let recorder = Recorder(verdict: false)
        let json = TwilioSignatureVerifier(authToken: "token", comparator: recorder.comparator)
        #expect(!json.isValid(signature: jsonSignature, url: jsonURL, jsonBody: body))
        #expect(recorder.comparisons.contains { $0.expected == Digest.sha256(body) && $0.presented == Digest.sha256(body) })
        #expect(recorder.comparisons.contains { Self.text($0.presented) == jsonSignature })
    }

    @Test func apiKeysAreComparedWithEveryKeyAndDecidedByTheComparatorAlone() {
        let keys = ["first-key-0123456789", "second-key-0123456789", "third-key-0123456789"]
        let refusing = Recorder(verdict: false)
        #expect(!APIKeyVerifier(keys: keys, comparator: refusing.comparator).isValid("first-key-0123456789"))
        // Every key is compared, even after a match would have been found: timing says nothing about which.
        #expect(refusing.comparisons.map { Self.text($0.expected) } == keys)
        #expect(refusing.comparisons.allSatisfy { Self.text($0.presented) == "first-key-0123456789" })

        let accepting = Recorder(verdict: true)
        #expect(APIKeyVerifier(keys: keys, comparator: accepting.comparator).isValid("anything"))
        #expect(accepting.comparisons.count == keys.count)
        #expect(!APIKeyVerifier(keys: []).isEnabled)
    }

    /// The product never builds a comparator of its own nor passes one: every verifier runs with the default.
    @Test func noSourceFileChoosesAnotherComparator() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        #expect(files.count > 50)
        var declaring: [String] = []
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            if file.hasSuffix("CredentialComparator.swift") { continue }
            #expect(!text.contains("CredentialComparator("), "\(file) builds a comparator")
            #expect(!text.contains("CRYPTO_memcmp(") || file.hasSuffix("ConstantTime.swift"), "\(file)")
            // `comparator:` appears only in the initialisers that default it to `.constantTime`.
            let code = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }
            for line in code where line.contains("comparator:") && !line.contains("let comparator:") {
                #expect(line.contains("comparator: CredentialComparator = .constantTime"), "\(file): \(line)")
                declaring.append(file)
            }
        }
        #expect(Set(declaring.map { ($0 as NSString).lastPathComponent }) == [
            "SlackSignatureVerifier.swift", "TwilioSignatureVerifier.swift", "APIKeyVerifier.swift",
        ])
    }
}
