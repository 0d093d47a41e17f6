/// A Lua script run with `EVALSHA`, falling back to `EVAL` when the server answers `NOSCRIPT`.
///
/// The SHA-1 is computed locally when the script is created (it is the same digest Redis computes for
/// `SCRIPT LOAD`), so no round trip is needed before the first `EVALSHA`. Create scripts once and reuse them.
package struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    package let source: String
    /// Lowercase hex SHA-1 of `source`, as Redis names scripts.
    package let sha1: String

    package init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hexDigest(source.utf8)
    }
}
