import Signing
import Testing

@Suite struct EncodingTests {
    @Test func sha256HexOfKnownInputs() {
        #expect(Digest.sha256Hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            Digest.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func sha1OfKnownInput() {
        #expect(Hex.encode(Digest.sha1(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }

    /// RFC 4648 §10 test vectors.
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ])
    func base64MatchesRFC4648(plain: String, encoded: String) throws {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        let decoded = try #require(Base64.decode(encoded))
        #expect(decoded == Array(plain.utf8))
    }

    @Test func base64RoundTripsBinary() throws {
        let bytes: [UInt8] = (0...255).map { UInt8($0) }
        #expect(try #require(Base64.decode(Base64.encode(bytes))) == bytes)
    }

    @Test func base64RejectsMalformedText() {
        #expect(Base64.decode("abc") == nil)
        #expect(Base64.decode("ab!d") == nil)
    }

    @Test func hexRoundTripsAndRejectsGarbage() {
        #expect(Hex.decode("00ff10AB") == [0x00, 0xff, 0x10, 0xab])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }

    @Test func constantTimeEqualityComparesWholeValues() {
        #expect(ConstantTime.equals("v0=abcdef", "v0=abcdef"))
        #expect(!ConstantTime.equals("v0=abcdef", "v0=abcdeF"))
        #expect(!ConstantTime.equals("v0=abcdef", "v0=abcde"))
        #expect(!ConstantTime.equals("", "a"))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
    }
}
