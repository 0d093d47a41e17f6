import Signing
import Testing

/// Test vectors from RFC 2202 (HMAC-SHA1) and RFC 4231 (HMAC-SHA256).
@Suite struct HMACTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let key: [UInt8]
        let data: [UInt8]
        let expected: String
        var testDescription: String { name }
    }

    static let sha1Vectors: [Vector] = [
        Vector(
            name: "RFC 2202 case 1", key: .init(repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
            expected: "b617318655057264e28bc0b6fb378c8ef146be00"),
        Vector(
            name: "RFC 2202 case 2", key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
            expected: "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        Vector(
            name: "RFC 2202 case 3", key: .init(repeating: 0xaa, count: 20), data: .init(repeating: 0xdd, count: 50),
            expected: "125d7342b9ac11cd91a39af48aa17b4f63f175d3"),
        Vector(
            name: "RFC 2202 case 4", key: Array(1...25), data: .init(repeating: 0xcd, count: 50),
            expected: "4c9007f4026250c6bc8414f9bf50c86c2d7235da"),
        Vector(
            name: "RFC 2202 case 6", key: .init(repeating: 0xaa, count: 80),
            data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            expected: "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
        Vector(
            name: "RFC 2202 case 7", key: .init(repeating: 0xaa, count: 80),
            data: Array("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data".utf8),
            expected: "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"),
    ]

    static let sha256Vectors: [Vector] = [
        Vector(
            name: "RFC 4231 case 1", key: .init(repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
            expected: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        Vector(
            name: "RFC 4231 case 2", key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
            expected: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        Vector(
            name: "RFC 4231 case 3", key: .init(repeating: 0xaa, count: 20), data: .init(repeating: 0xdd, count: 50),
            expected: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        Vector(
            name: "RFC 4231 case 4", key: Array(1...25), data: .init(repeating: 0xcd, count: 50),
            expected: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        Vector(
            name: "RFC 4231 case 6", key: .init(repeating: 0xaa, count: 131),
            data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            expected: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        Vector(
            name: "RFC 4231 case 7", key: .init(repeating: 0xaa, count: 131),
            data: Array(
                ("This is a test using a larger than block-size key and a larger than block-size data. "
                    + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
            expected: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test(arguments: sha1Vectors)
    func hmacSHA1MatchesRFC2202(_ vector: Vector) {
        #expect(Hex.encode(HMAC.authenticationCode(.sha1, key: vector.key, message: vector.data)) == vector.expected)
    }

    @Test(arguments: sha256Vectors)
    func hmacSHA256MatchesRFC4231(_ vector: Vector) {
        #expect(Hex.encode(HMAC.authenticationCode(.sha256, key: vector.key, message: vector.data)) == vector.expected)
    }

    @Test func rfc4231TruncatedCase5MatchesFirst128Bits() {
        let mac = HMAC.authenticationCode(
            .sha256, key: [UInt8](repeating: 0x0c, count: 20), message: Array("Test With Truncation".utf8))
        #expect(Hex.encode(mac.prefix(16)) == "a3b6167473100ee06e0c796c2955552b")
    }

    @Test func stringOverloadAgreesWithBytes() {
        let fromStrings = HMAC.authenticationCode(.sha256, key: "Jefe", message: "what do ya want for nothing?")
        #expect(Hex.encode(fromStrings) == Self.sha256Vectors[1].expected)
    }
}
