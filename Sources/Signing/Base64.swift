import COpenSSL

/// Standard base64 (RFC 4648 §4, with padding) over OpenSSL's EVP encoder.
package enum Base64 {
    /// `bytes` as padded base64 text with no line breaks.
    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        guard !input.isEmpty else { return "" }
        var output = [UInt8](repeating: 0, count: 4 * ((input.count + 2) / 3) + 1)
        let written = input.withUnsafeBufferPointer { inputBuffer in
            EVP_EncodeBlock(&output, inputBuffer.baseAddress, Int32(inputBuffer.count))
        }
        return String(decoding: output.prefix(Int(written)), as: UTF8.self)
    }

    /// The bytes of padded base64 text, or nil when it is not valid base64.
    package static func decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        guard !input.isEmpty else { return [] }
        guard input.count % 4 == 0 else { return nil }
        var output = [UInt8](repeating: 0, count: input.count / 4 * 3)
        let written = input.withUnsafeBufferPointer { inputBuffer in
            EVP_DecodeBlock(&output, inputBuffer.baseAddress, Int32(inputBuffer.count))
        }
        guard written >= 0 else { return nil }
        // EVP_DecodeBlock counts padding as zero bytes; drop them.
        let padding = input.reversed().prefix(while: { $0 == UInt8(ascii: "=") }).count
        guard padding <= 2 else { return nil }
        return Array(output.prefix(Int(written) - padding))
    }
}
