import COpenSSL

/// Comparison whose running time does not depend on where two byte strings differ.
package enum ConstantTime {
    /// True when `a` and `b` hold the same bytes. Lengths are not secret (a MAC's length is public),
    /// so unequal lengths return early; equal lengths are compared with OpenSSL's `CRYPTO_memcmp`.
    package static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        let left = Array(a)
        let right = Array(b)
        guard left.count == right.count else { return false }
        guard !left.isEmpty else { return true }
        return left.withUnsafeBytes { l in
            right.withUnsafeBytes { r in
                CRYPTO_memcmp(l.baseAddress, r.baseAddress, l.count) == 0
            }
        }
    }

    /// True when two strings hold the same UTF-8 bytes, compared in constant time.
    package static func equals(_ a: String, _ b: String) -> Bool {
        equals(Array(a.utf8), Array(b.utf8))
    }
}
