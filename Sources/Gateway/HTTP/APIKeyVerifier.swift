import Signing

/// Checks an `X-API-Key` against `GATEWAY_API_KEYS`. Every key is compared, in constant time, without stopping at
/// the first match, so the time taken says nothing about which key (or how much of one) was right.
package struct APIKeyVerifier: Sendable, CustomStringConvertible {
    private let keys: [[UInt8]]
    /// Decides whether a presented key is one of the keys: `.constantTime` unless a test says otherwise.
    package let comparator: CredentialComparator

    package init(keys: [String], comparator: CredentialComparator = .constantTime) {
        self.keys = keys.map { Array($0.utf8) }
        self.comparator = comparator
    }

    package var description: String { "APIKeyVerifier(keys: \(keys.count), redacted)" }

    /// False when no keys are configured: the API is then disabled.
    package var isEnabled: Bool { !keys.isEmpty }

    /// True when `presented` is one of the keys.
    package func isValid(_ presented: String) -> Bool {
        let bytes = Array(presented.utf8)
        var matched = false
        for key in keys where comparator.equals(expected: key, presented: bytes) { matched = true }
        return matched
    }
}
