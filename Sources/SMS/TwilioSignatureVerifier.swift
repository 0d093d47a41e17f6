import Signing

/// Verifies Twilio's `X-Twilio-Signature` header.
///
/// Twilio signs `base64(HMAC-SHA1(authToken, url + name₁value₁ + name₂value₂ …))` where the POST parameters are
/// sorted by name and, for a repeated name, by value (code-point order, as Twilio's helper libraries sort). For JSON
/// bodies Twilio signs the URL alone, which then carries `?bodySHA256=` with the SHA-256 of the body.
///
/// `url` must be the URL Twilio requested, as the public sees it: `PUBLIC_BASE_URL` + path + query exactly as they
/// arrived (still percent-encoded), never the URL a proxy rewrote. Like Twilio's own libraries, a URL is accepted
/// whether or not the signature covered the scheme's default port (`:443`, `:80`), because Twilio has signed both.
package struct TwilioSignatureVerifier: Sendable, CustomStringConvertible {
    private let authToken: [UInt8]
    /// Decides whether a presented signature or body hash is the expected one: `.constantTime` unless a test says
    /// otherwise.
    package let comparator: CredentialComparator

    /// - Parameters:
    ///   - authToken: the account's Auth Token (the secret Twilio signs webhooks with).
    ///   - comparator: how signatures and body hashes are compared.
    package init(authToken: String, comparator: CredentialComparator = .constantTime) {
        self.authToken = Array(authToken.utf8)
        self.comparator = comparator
    }

    package var description: String { "TwilioSignatureVerifier(authToken: <redacted>)" }

    /// True when `signature` is Twilio's signature of a form POST to `url` with `formParameters`.
    ///
    /// A missing signature is never valid.
    package func isValid(signature: String?, url: String, formParameters: [(String, String)]) -> Bool {
        guard let signature, !signature.isEmpty else { return false }
        let variants = Self.parameterStrings(formParameters)
        for candidate in Self.urlCandidates(url) {
            for parameters in variants where self.matches(signature, message: candidate + parameters) {
                return true
            }
        }
        return false
    }

    /// True when `signature` is Twilio's signature of a JSON POST to `url`, whose `bodySHA256` query parameter must
    /// be the hex SHA-256 of `jsonBody`. A URL without `bodySHA256` is never valid here.
    package func isValid(signature: String?, url: String, jsonBody: [UInt8]) -> Bool {
        guard let signature, !signature.isEmpty else { return false }
        guard let query = try? TwilioFormParser.queryParameters(of: url),
            let claimedHash = query.first(where: { $0.0 == "bodySHA256" })?.1,
            let claimedDigest = Hex.decode(claimedHash)
        else { return false }
        // Both checks always run in full, and both must hold.
        let bodyMatches = comparator.equals(expected: Digest.sha256(jsonBody), presented: claimedDigest)
        var signatureMatches = false
        for candidate in Self.urlCandidates(url) where self.matches(signature, message: candidate) {
            signatureMatches = true
        }
        return bodyMatches && signatureMatches
    }

    /// The signature Twilio would send for a POST to `url` with `parameters` (for tests and `gateway simulate`).
    package static func signature(authToken: String, url: String, parameters: [(String, String)]) -> String {
        let message = url + parameterStrings(parameters)[0]
        return Base64.encode(HMAC.authenticationCode(.sha1, key: authToken, message: message))
    }

    private func matches(_ signature: String, message: String) -> Bool {
        let expected = Base64.encode(HMAC.authenticationCode(.sha1, key: self.authToken, message: Array(message.utf8)))
        return comparator.equals(expected: Array(expected.utf8), presented: Array(signature.utf8))
    }

    /// The concatenated `name + value` strings to try: every pair sorted by name then value; and, only when some
    /// pair repeats exactly, also the form with duplicates dropped, because Twilio's Python library deduplicates
    /// identical pairs while its other libraries do not.
    private static func parameterStrings(_ parameters: [(String, String)]) -> [String] {
        let sorted = parameters.sorted { lhs, rhs in
            if lhs.0 != rhs.0 { return lhs.0.utf8.lexicographicallyPrecedes(rhs.0.utf8) }
            return lhs.1.utf8.lexicographicallyPrecedes(rhs.1.utf8)
        }
        let all = sorted.map { $0.0 + $0.1 }.joined()
        var unique: [(String, String)] = []
        for pair in sorted where unique.last.map({ $0.0 != pair.0 || $0.1 != pair.1 }) ?? true {
            unique.append(pair)
        }
        guard unique.count != sorted.count else { return [all] }
        return [all, unique.map { $0.0 + $0.1 }.joined()]
    }

    /// `url` as given, then with the default port added (when it has no port) or removed (when it has the default).
    private static func urlCandidates(_ url: String) -> [String] {
        guard let alternative = TwilioURLPort.alternative(of: url) else { return [url] }
        return [url, alternative]
    }
}
