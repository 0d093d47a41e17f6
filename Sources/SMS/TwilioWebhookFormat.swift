import Foundation

/// How a Twilio webhook carries its parameters, which decides how its signature is checked.
///
/// - `form`: an `application/x-www-form-urlencoded` body; the signature covers the URL and every parameter.
/// - `json`: an `application/json` body holding one object of string values; the signature covers the URL alone,
///   whose `bodySHA256` query parameter carries the SHA-256 of the raw body.
package enum TwilioWebhookFormat: Sendable, Hashable {
    case form
    case json

    /// The format a request's `Content-Type` names: `json` for `application/json` (any parameters, any case),
    /// `form` for anything else, as Twilio posts forms unless told otherwise.
    package init(contentType: String?) {
        let mediaType = contentType?.split(separator: ";", maxSplits: 1).first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        self = mediaType == "application/json" ? .json : .form
    }

    /// The `Content-Type` a body of this format is stored and sent with.
    package var contentType: String {
        switch self {
        case .form: "application/x-www-form-urlencoded"
        case .json: "application/json"
        }
    }

    /// The name/value parameters of `body`. A JSON body's members come sorted by name, since an object has no order.
    package func parameters(of body: [UInt8]) throws(SMSError) -> [(String, String)] {
        switch self {
        case .form: try TwilioFormParser.parse(body)
        case .json: try Self.jsonParameters(body)
        }
    }

    /// The members of a JSON object whose every value is a string. Anything else (not JSON, an array, a number or a
    /// nested object as a value) is `malformedJSON`, described without echoing the body.
    private static func jsonParameters(_ body: [UInt8]) throws(SMSError) -> [(String, String)] {
        let object: [String: String]
        do {
            object = try JSONDecoder().decode([String: String].self, from: Data(body))
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            throw SMSError(.malformedJSON, message: "the body is not valid JSON")
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
            throw SMSError(.malformedJSON, message: "the body is not a JSON object")
        } catch DecodingError.valueNotFound(_, let context) where context.codingPath.isEmpty {
            throw SMSError(.malformedJSON, message: "the body is not a JSON object")
        } catch {
            throw SMSError(.malformedJSON, message: "every value of the JSON object must be a string")
        }
        return object.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { ($0.key, $0.value) }
    }
}
