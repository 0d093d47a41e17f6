/// A phone number in E.164 form: `+`, then 8 to 15 digits, the first not zero (`+15551234567`).
///
/// Input is taken exactly as given: spaces, dashes, brackets or a missing `+` make it invalid, not guessed at.
/// `description` masks all but the last four digits so a number printed in a log is not PII.
package struct PhoneNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number as E.164 text, to hand to Twilio or store.
    package let e164: String

    /// - Throws: `SMSError.Code.invalidPhoneNumber` when `text` is not E.164.
    package init(validating text: String) throws(SMSError) {
        let bytes = Array(text.utf8)
        guard bytes.first == UInt8(ascii: "+") else {
            throw SMSError(.invalidPhoneNumber, message: "a phone number must start with +")
        }
        let digits = bytes.dropFirst()
        guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw SMSError(.invalidPhoneNumber, message: "a phone number may contain only digits after the +")
        }
        guard (8...15).contains(digits.count) else {
            throw SMSError(.invalidPhoneNumber, message: "a phone number has 8 to 15 digits, not \(digits.count)")
        }
        guard digits.first != UInt8(ascii: "0") else {
            throw SMSError(.invalidPhoneNumber, message: "a country code cannot start with 0")
        }
        self.e164 = text
    }

    package var description: String {
        "+" + String(repeating: "*", count: self.e164.count - 5) + self.e164.suffix(4)
    }
}
