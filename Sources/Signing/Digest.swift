import COpenSSL

/// One-shot message digests over OpenSSL's EVP interface.
package enum Digest {
    /// SHA-256 of `data`.
    package static func sha256(_ data: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(data)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &output, &length, EVP_sha256(), nil)
        }
        precondition(ok == 1 && length == 32, "OpenSSL EVP_Digest(SHA-256) failed")
        return Array(output.prefix(32))
    }

    /// SHA-256 of `data` as lowercase hex, as Twilio's `bodySHA256` parameter carries it.
    package static func sha256Hex(_ data: some Collection<UInt8>) -> String {
        Hex.encode(sha256(data))
    }

    /// SHA-1 of `data` (Redis script ids; not for security).
    package static func sha1(_ data: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(data)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &output, &length, EVP_sha1(), nil)
        }
        precondition(ok == 1 && length == 20, "OpenSSL EVP_Digest(SHA-1) failed")
        return Array(output.prefix(20))
    }
}
