import FuzzSupport
import SMS
import Signing

/// `TwilioSignatureVerifier` over arbitrary URLs and parameters. An input is a URL, a line feed, then a body: the
/// body's form parameters when it parses as a form, otherwise `&`/`=`-separated pairs taken as they are. Checking
/// any signature must not crash; a signature computed for a request verifies it (parameters in any order), and a
/// changed signature or body does not. The JSON flavour is checked the same way with `?bodySHA256=` over the body.
@main enum TwilioSignatureFuzzer {
    static let authToken = "fuzz-auth-token-0123456789abcdef"
    static let verifier = TwilioSignatureVerifier(authToken: authToken)

    static func main() {
        FuzzDriver.main(testOneInput)
    }

    static func check(_ input: [UInt8]) {
        let newline = input.firstIndex(of: UInt8(ascii: "\n")) ?? input.endIndex
        let url = String(decoding: input[..<newline], as: UTF8.self)
        let body = Array(input[min(newline + 1, input.endIndex)...])
        let parameters = (try? TwilioFormParser.parse(body)) ?? rawPairs(body)

        // Arbitrary claimed signatures: never a crash, and (but for a 2^-160 accident) never valid.
        let claimed = String(decoding: body.prefix(28), as: UTF8.self)
        _ = verifier.isValid(signature: claimed, url: url, formParameters: parameters)
        _ = verifier.isValid(signature: claimed, url: url, jsonBody: body)
        _ = verifier.isValid(signature: nil, url: url, formParameters: parameters)

        // Form: what we sign, we accept, whatever the order the parameters arrive in.
        let signature = TwilioSignatureVerifier.signature(authToken: authToken, url: url, parameters: parameters)
        FuzzInvariant.require(
            verifier.isValid(signature: signature, url: url, formParameters: parameters),
            "a computed signature does not verify: url \(FuzzInvariant.quoted(url))")
        FuzzInvariant.require(
            verifier.isValid(signature: signature, url: url, formParameters: parameters.reversed()),
            "a computed signature does not verify with the parameters reversed")
        FuzzInvariant.require(
            !verifier.isValid(signature: tampered(signature), url: url, formParameters: parameters),
            "a changed signature verifies")
        FuzzInvariant.require(
            !TwilioSignatureVerifier(authToken: authToken + "x")
                .isValid(signature: signature, url: url, formParameters: parameters),
            "a signature verifies under another auth token")

        // JSON: the URL alone is signed and carries the body's SHA-256.
        // (Cut at the byte: a combining mark after `?` would hide it from a Character-wise search.)
        let base = String(decoding: url.utf8.prefix { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }, as: UTF8.self)
        let jsonURL = base + "?bodySHA256=" + Digest.sha256Hex(body)
        let jsonSignature = TwilioSignatureVerifier.signature(authToken: authToken, url: jsonURL, parameters: [])
        FuzzInvariant.require(
            verifier.isValid(signature: jsonSignature, url: jsonURL, jsonBody: body),
            "a computed JSON signature does not verify: url \(FuzzInvariant.quoted(jsonURL))")
        FuzzInvariant.require(
            !verifier.isValid(signature: jsonSignature, url: jsonURL, jsonBody: body + [UInt8(ascii: " ")]),
            "a JSON signature verifies a different body")
    }

    /// Pairs split on `&` and `=` with no decoding, so the verifier also sees text no form parser would produce.
    static func rawPairs(_ body: [UInt8]) -> [(String, String)] {
        body.split(separator: UInt8(ascii: "&")).map { pair in
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            return (String(decoding: parts[0], as: UTF8.self), String(decoding: parts.dropFirst().first ?? [], as: UTF8.self))
        }
    }

    /// `signature` with its first character changed to another base64 character.
    static func tampered(_ signature: String) -> String {
        let first = signature.first == "A" ? "B" : "A"
        return first + signature.dropFirst()
    }
}

/// The input callback, under the name libFuzzer's own `main` links against (see `FuzzDriver`).
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    TwilioSignatureFuzzer.check(FuzzDriver.bytes(data, size))
    return 0
}
