import Foundation
import Signing

/// Verifies Slack's request signatures: `v0=` + hex(HMAC-SHA256(signing secret, "v0:{timestamp}:{raw body}")),
/// compared in constant time, with the timestamp no more than five minutes from now in either direction.
package struct SlackSignatureVerifier: Sendable, CustomStringConvertible {
    /// How far a request's timestamp may be from now (Slack's recommendation: five minutes).
    package static let tolerance: TimeInterval = 300

    private let signingSecret: [UInt8]
    /// Decides whether the presented signature is the expected one: `.constantTime` unless a test says otherwise.
    package let comparator: CredentialComparator

    package init(signingSecret: String, comparator: CredentialComparator = .constantTime) {
        self.signingSecret = Array(signingSecret.utf8)
        self.comparator = comparator
    }

    package var description: String { "SlackSignatureVerifier(signingSecret: <redacted>)" }

    /// Checks a request. Call it with the exact bytes received, before decoding anything.
    /// - Parameters:
    ///   - timestamp: the `X-Slack-Request-Timestamp` header.
    ///   - signature: the `X-Slack-Signature` header.
    ///   - now: the current time (a parameter so tests can move the clock).
    package func verify(timestamp: String?, signature: String?, body: [UInt8], now: Date = Date())
        throws(SlackVerificationError)
    {
        guard let timestamp, let signature, !timestamp.isEmpty, !signature.isEmpty else {
            throw .missingHeaders
        }
        guard let seconds = Int64(timestamp), timestamp.utf8.count <= 12 else { throw .malformedTimestamp }
        let age = now.timeIntervalSince1970 - TimeInterval(seconds)
        if age > Self.tolerance { throw .stale }
        if age < -Self.tolerance { throw .future }
        guard signature.hasPrefix("v0=") else { throw .badSignature }
        let expected = "v0=" + Hex.encode(Self.mac(secret: signingSecret, timestamp: timestamp, body: body))
        guard comparator.equals(expected: Array(expected.utf8), presented: Array(signature.utf8)) else {
            throw .badSignature
        }
    }

    /// The `X-Slack-Signature` value for a body (used by `gateway simulate` and the tests).
    package func signature(timestamp: String, body: [UInt8]) -> String {
        "v0=" + Hex.encode(Self.mac(secret: signingSecret, timestamp: timestamp, body: body))
    }

    private static func mac(secret: [UInt8], timestamp: String, body: [UInt8]) -> [UInt8] {
        var message = Array("v0:\(timestamp):".utf8)
        message.append(contentsOf: body)
        return HMAC.authenticationCode(.sha256, key: secret, message: message)
    }
}

/// Why a request was not accepted as Slack's. Never carries the secret or the expected signature.
package enum SlackVerificationError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingHeaders
    case malformedTimestamp
    case stale
    case future
    case badSignature

    package var description: String {
        switch self {
        case .missingHeaders: "X-Slack-Request-Timestamp or X-Slack-Signature is missing"
        case .malformedTimestamp: "X-Slack-Request-Timestamp is not a Unix time"
        case .stale: "the request is more than five minutes old"
        case .future: "the request is dated more than five minutes in the future"
        case .badSignature: "the signature does not match"
        }
    }
}
