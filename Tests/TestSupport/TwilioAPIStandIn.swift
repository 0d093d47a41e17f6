import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A local stand-in for Twilio's Messages API (`POST /2010-04-01/Accounts/{AccountSid}/Messages.json`): checks
/// basic auth the way Twilio does (401 with error 20003 otherwise), records every request's form fields, answers
/// 201 with a queued Message resource, and plays scripted failures when a test asks for them.
package final class TwilioAPIStandIn: Sendable {
    /// One request the stand-in received.
    package struct Call: Sendable {
        /// The account SID in the path.
        package let accountSID: String
        package let authorization: String?
        package let contentType: String?
        /// The decoded form fields, in order.
        package let fields: [(String, String)]

        /// The first value of the form field `name`.
        package func field(_ name: String) -> String? {
            fields.first { $0.0 == name }?.1
        }
    }

    /// A scripted failure for the next call: an HTTP status with Twilio's error body (`code` when given) and an
    /// optional `Retry-After` in seconds.
    package struct Failure: Sendable {
        package var status: Int
        package var code: Int?
        package var retryAfter: Int?

        package init(status: Int, code: Int? = nil, retryAfter: Int? = nil) {
            self.status = status
            self.code = code
            self.retryAfter = retryAfter
        }
    }

    package let accountSID: String
    package let authToken: String
    private let state = Mutex<(calls: [Call], script: [Failure], sequence: Int)>(([], [], 0))

    package init(
        accountSID: String = "AC" + String(repeating: "a1", count: 16), authToken: String = "twilio-test-token"
    ) {
        self.accountSID = accountSID
        self.authToken = authToken
    }

    /// Everything received so far, in order.
    package var calls: [Call] { state.withLock { $0.calls } }

    /// Queues failures for the next calls; after them, calls succeed again.
    package func script(_ failures: [Failure]) {
        state.withLock { $0.script += failures }
    }

    /// Runs the stand-in for the duration of `body`, which gets the API base URL (use it as `TWILIO_API_BASE_URL`).
    package func run<T>(_ body: (_ baseURL: String) async throws -> T) async throws -> T {
        let router = Router(context: BasicRequestContext.self)
        router.post("/2010-04-01/Accounts/{accountSID}/Messages.json") { request, context in
            try await self.answer(accountSID: context.parameters.get("accountSID") ?? "", request: request)
        }
        return try await StandInServer.run(router, body)
    }

    private func answer(accountSID: String, request: Request) async throws -> Response {
        var request = request
        let body = Array(try await request.collectBody(upTo: 1 << 20).readableBytesView)
        let call = Call(
            accountSID: accountSID, authorization: request.headers[.authorization],
            contentType: request.headers[.contentType], fields: Self.parseForm(body))
        let (scripted, sequence) = state.withLock { state -> (Failure?, Int) in
            state.calls.append(call)
            state.sequence += 1
            return (state.script.isEmpty ? nil : state.script.removeFirst(), state.sequence)
        }
        let to = call.field("To") ?? ""
        if let scripted {
            var headers: HTTPFields = [:]
            if let retryAfter = scripted.retryAfter { headers[.retryAfter] = String(retryAfter) }
            return Self.error(status: scripted.status, code: scripted.code, to: to, headers: headers)
        }
        guard Self.basicCredentials(call.authorization) == "\(self.accountSID):\(self.authToken)" else {
            return Self.error(status: 401, code: 20003, to: to)
        }
        guard accountSID == self.accountSID else {
            return Self.error(status: 404, code: 20404, to: to)
        }
        guard !to.isEmpty, let text = call.field("Body"),
            call.field("From") != nil || call.field("MessagingServiceSid") != nil
        else {
            return Self.error(status: 400, code: 21604, to: to)
        }
        let sid = "SM" + String(format: "%032x", sequence)
        let message: [String: Any] = [
            "sid": sid, "uri": "/2010-04-01/Accounts/\(accountSID)/Messages/\(sid).json", "account_sid": accountSID,
            "to": to,
            "from": call.field("From") ?? NSNull(),
            "messaging_service_sid": call.field("MessagingServiceSid") ?? NSNull(),
            "body": text, "status": call.field("MessagingServiceSid") == nil ? "queued" : "accepted",
            "num_segments": String(Self.segments(text)), "direction": "outbound-api", "api_version": "2010-04-01",
            "error_code": NSNull(), "error_message": NSNull(), "price": NSNull(),
        ]
        return Self.json(status: 201, message)
    }

    /// Segments as Twilio would count them, approximated: ASCII text as GSM-7 (160, or 153 per part), anything else
    /// as UCS-2 (70, or 67 per part). Code points outside the BMP count twice in UCS-2.
    private static func segments(_ text: String) -> Int {
        if text.unicodeScalars.allSatisfy(\.isASCII) {
            let count = text.unicodeScalars.count
            return count <= 160 ? 1 : (count + 152) / 153
        }
        let units = text.utf16.count
        return units <= 70 ? 1 : (units + 66) / 67
    }

    /// Twilio's error body; like Twilio, the messages for number errors quote the number.
    private static func error(status: Int, code: Int?, to: String, headers: HTTPFields = [:]) -> Response {
        let message: String
        switch code {
        case 20003: message = "Authenticate"
        case 20404: message = "The requested resource was not found"
        case 20429: message = "Too Many Requests"
        case 21211: message = "Invalid 'To' Phone Number: \(to)"
        case 21610: message = "Attempt to send to unsubscribed recipient \(to)"
        case 21604: message = "A 'To' phone number is required."
        default: message = status >= 500 ? "Internal Server Error" : "Error"
        }
        var object: [String: Any] = ["status": status, "message": message]
        if let code {
            object["code"] = code
            object["more_info"] = "https://www.twilio.com/docs/errors/\(code)"
        }
        return Self.json(status: status, object, headers: headers)
    }

    private static func json(status: Int, _ object: [String: Any], headers: HTTPFields = [:]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(
            status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `user:password` from a `Basic` authorization header.
    private static func basicCredentials(_ header: String?) -> String? {
        guard let header, header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6)))
        else { return nil }
        return String(data: data, encoding: .utf8)
    }

    /// An `application/x-www-form-urlencoded` body as name/value pairs.
    private static func parseForm(_ body: [UInt8]) -> [(String, String)] {
        String(decoding: body, as: UTF8.self).split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}
