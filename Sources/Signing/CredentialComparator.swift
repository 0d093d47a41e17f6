/// How a verifier decides that a presented credential (a signature, a body hash, an API key) equals the expected
/// one. Every verifier compares through one of these, and production always uses `constantTime`; the type exists
/// so tests can check that every decision goes through it and nothing else (a timing test alone would be flaky).
package struct CredentialComparator: Sendable {
    /// What compares, for tests and diagnostics: `CRYPTO_memcmp` in production.
    package let name: String
    private let compare: @Sendable ([UInt8], [UInt8]) -> Bool

    /// A comparator named `name` that answers with `compare` (tests pass a recording one).
    package init(name: String, compare: @escaping @Sendable (_ expected: [UInt8], _ presented: [UInt8]) -> Bool) {
        self.name = name
        self.compare = compare
    }

    /// OpenSSL's `CRYPTO_memcmp` through `ConstantTime.equals`: the time taken does not depend on where the bytes
    /// differ.
    package static let constantTime = CredentialComparator(name: "CRYPTO_memcmp") { ConstantTime.equals($0, $1) }

    /// True when `presented` matches `expected`.
    package func equals(expected: [UInt8], presented: [UInt8]) -> Bool {
        compare(expected, presented)
    }
}
