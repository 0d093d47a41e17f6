import COpenSSL

/// Keyed-hash message authentication over OpenSSL's libcrypto.
package enum HMAC {
    /// The hash functions the gateway's providers sign with.
    package enum Algorithm: Sendable {
        /// Twilio's `X-Twilio-Signature`.
        case sha1
        /// Slack's `X-Slack-Signature`.
        case sha256

        var digestLength: Int {
            switch self {
            case .sha1: 20
            case .sha256: 32
            }
        }

        var evpMD: OpaquePointer? {
            switch self {
            case .sha1: EVP_sha1()
            case .sha256: EVP_sha256()
            }
        }
    }

    /// The MAC of `message` under `key`.
    package static func authenticationCode(
        _ algorithm: Algorithm,
        key: some Collection<UInt8>,
        message: some Collection<UInt8>
    ) -> [UInt8] {
        let keyBytes = Array(key)
        let messageBytes = Array(message)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = keyBytes.withUnsafeBytes { keyBuffer in
            messageBytes.withUnsafeBytes { messageBuffer in
                output.withUnsafeMutableBufferPointer { outputBuffer in
                    COpenSSL.HMAC(
                        algorithm.evpMD,
                        keyBuffer.baseAddress, Int32(keyBuffer.count),
                        messageBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBuffer.count,
                        outputBuffer.baseAddress, &length
                    )
                }
            }
        }
        // HMAC() fails only on allocation failure or an unknown digest, neither of which can be
        // recovered from here; both algorithms are built into every OpenSSL 3 libcrypto.
        precondition(result != nil && Int(length) == algorithm.digestLength, "OpenSSL HMAC failed")
        return Array(output.prefix(Int(length)))
    }

    /// The MAC of a UTF-8 `message` under a UTF-8 `key`.
    package static func authenticationCode(_ algorithm: Algorithm, key: String, message: String) -> [UInt8] {
        authenticationCode(algorithm, key: Array(key.utf8), message: Array(message.utf8))
    }
}
