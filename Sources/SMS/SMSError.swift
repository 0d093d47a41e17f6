/// A failure in the SMS module: malformed webhook input or an invalid phone number.
///
/// `message` says what is wrong in terms a developer can act on; it never carries the raw input, which may be a
/// phone number or message text (PII).
package struct SMSError: Error, CustomStringConvertible, Sendable, Hashable {
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case malformedForm, malformedJSON, invalidPhoneNumber
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// An `application/x-www-form-urlencoded` body with a bad percent escape or invalid UTF-8 (HTTP 400).
        package static let malformedForm = Code(.malformedForm)
        /// A JSON body that is not an object whose every value is a string (HTTP 400).
        package static let malformedJSON = Code(.malformedJSON)
        /// A phone number that is not in E.164 form (HTTP 400).
        package static let invalidPhoneNumber = Code(.invalidPhoneNumber)

        package var description: String { self.base.rawValue }
    }

    package var code: Code
    /// What is wrong, without the offending input.
    package var message: String

    package init(_ code: Code, message: String) {
        self.code = code
        self.message = message
    }

    package var description: String {
        "SMSError.\(self.code): \(self.message)"
    }
}
