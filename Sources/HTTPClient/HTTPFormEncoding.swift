/// `application/x-www-form-urlencoded` serialisation as the WHATWG URL standard defines it: ASCII letters,
/// digits and `*-._` pass through, a space becomes `+`, every other byte of the UTF-8 encoding becomes `%XX`.
package enum HTTPFormEncoding {
    package static let contentType = "application/x-www-form-urlencoded"

    /// `name=value` pairs joined with `&`, in the order given.
    package static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(self.escape($0.0))=\(self.escape($0.1))" }.joined(separator: "&")
    }

    /// One name or value, escaped for a form body.
    package static func escape(_ string: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"):
                bytes.append(byte)
            case UInt8(ascii: " "):
                bytes.append(UInt8(ascii: "+"))
            default:
                bytes.append(UInt8(ascii: "%"))
                bytes.append(self.hexDigits[Int(byte >> 4)])
                bytes.append(self.hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
}
