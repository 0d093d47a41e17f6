import SMS
import Testing

@Suite struct PhoneNumberTests {
    @Test(arguments: ["+15551234567", "+447911123456", "+12345678", "+123456789012345", "+8613812345678"])
    func e164NumbersAreAccepted(text: String) throws {
        #expect(try PhoneNumber(validating: text).e164 == text)
    }

    @Test(arguments: [
        "", "+", "15551234567", "(555) 123-4567", "+1 555 123 4567", "+1-555-123-4567", "+05551234567",
        "+1234567", "+1234567890123456", " +15551234567", "+15551234567 ", "+1555123456a", "++15551234567",
        "+١٥٥٥١٢٣٤٥٦٧",
    ])
    func nonE164InputIsRejected(text: String) {
        #expect {
            try PhoneNumber(validating: text)
        } throws: { error in
            (error as? SMSError)?.code == .invalidPhoneNumber
        }
    }

    @Test func descriptionMasksAllButLastFourDigits() throws {
        let number = try PhoneNumber(validating: "+15551234567")
        #expect(number.description == "+*******4567")
        #expect(!"\(number)".contains("555123"))
    }

    @Test func errorDoesNotEchoTheNumber() {
        do {
            _ = try PhoneNumber(validating: "+0987654321")
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("987654321"))
        }
    }
}
