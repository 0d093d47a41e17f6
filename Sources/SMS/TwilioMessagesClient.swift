import Foundation
import HTTPClient

/// `TwilioAPI` over the libcurl HTTP client: a form POST to the account's Messages resource with basic auth,
/// Twilio's JSON decoded, failures sorted into rate-limited, transient, permanent and opted out.
package struct TwilioMessagesClient: TwilioAPI {
    private let transport: any HTTPTransport
    private let configuration: TwilioConfiguration
    private let timeout: Duration

    package init(transport: any HTTPTransport, configuration: TwilioConfiguration, timeout: Duration = .seconds(10)) {
        self.transport = transport
        self.configuration = configuration
        self.timeout = timeout
    }

    package func sendMessage(to: PhoneNumber, body: String, statusCallback: String?) async throws(TwilioAPIError)
        -> TwilioSentMessage
    {
        var fields = [("To", to.e164)]
        switch self.configuration.sender {
        case .number(let number): fields.append(("From", number.e164))
        case .messagingService(let sid): fields.append(("MessagingServiceSid", sid))
        }
        fields.append(("Body", body))
        if let statusCallback { fields.append(("StatusCallback", statusCallback)) }

        var request = HTTPRequest.form(.post, url: self.configuration.messagesURL, fields: fields)
        request.timeout = self.timeout
        request.basicAuth(user: self.configuration.accountSID, password: self.configuration.authToken)

        let response: HTTPResponse
        do {
            response = try await self.transport.execute(request)
        } catch let error as HTTPClientError {
            throw TwilioAPIError(kind: .transient, reason: "transport_\(error.code)")
        } catch {
            throw TwilioAPIError(kind: .transient, reason: "transport_failure")
        }

        if (200..<300).contains(response.status) {
            let resource = try? JSONDecoder().decode(MessageResource.self, from: Data(response.body))
            // Without a SID the message cannot be tracked; a 2xx without one is a proxy or an outage page, and
            // nothing was queued, so it is worth retrying.
            guard let resource, let sid = resource.sid, !sid.isEmpty else {
                throw TwilioAPIError(kind: .transient, status: response.status, reason: "missing_sid")
            }
            return TwilioSentMessage(sid: sid, status: resource.status ?? "queued", numSegments: resource.numSegments)
        }
        throw Self.failure(response)
    }

    /// Sorts a non-2xx answer by what the caller should do next.
    private static func failure(_ response: HTTPResponse) -> TwilioAPIError {
        let reply = try? JSONDecoder().decode(ErrorResource.self, from: Data(response.body))
        let code = reply?.code
        let reason = code.map { "twilio_\($0)" } ?? "http_\(response.status)"
        let kind: TwilioAPIError.Kind
        if response.status == 429 || code == TwilioAPIError.rateLimitedCode {
            kind = .rateLimited(retryAfter: response.retryAfter ?? .seconds(1))
        } else if response.status >= 500 {
            kind = .transient
        } else if code == TwilioAPIError.unsubscribedRecipientCode {
            kind = .optedOut
        } else if (400..<500).contains(response.status) {
            kind = .permanent
        } else {
            kind = .transient
        }
        return TwilioAPIError(
            kind: kind, code: code, status: response.status, reason: reason, moreInfo: reply?.moreInfo,
            twilioMessage: reply?.message)
    }

    /// The fields of a created Message resource the gateway keeps.
    private struct MessageResource: Decodable {
        let sid: String?
        let status: String?
        let numSegments: Int?

        enum CodingKeys: String, CodingKey {
            case sid, status
            case numSegments = "num_segments"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.sid = try? container.decodeIfPresent(String.self, forKey: .sid)
            self.status = try? container.decodeIfPresent(String.self, forKey: .status)
            // Twilio sends num_segments as a string ("2"); accept a number too.
            if let text = try? container.decodeIfPresent(String.self, forKey: .numSegments) {
                self.numSegments = Int(text)
            } else {
                self.numSegments = try? container.decodeIfPresent(Int.self, forKey: .numSegments)
            }
        }
    }

    /// Twilio's error body: `{"code": 21211, "message": "...", "more_info": "https://...", "status": 400}`.
    private struct ErrorResource: Decodable {
        let code: Int?
        let message: String?
        let moreInfo: String?

        enum CodingKeys: String, CodingKey {
            case code, message
            case moreInfo = "more_info"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.code = try? container.decodeIfPresent(Int.self, forKey: .code)
            self.message = try? container.decodeIfPresent(String.self, forKey: .message)
            self.moreInfo = try? container.decodeIfPresent(String.self, forKey: .moreInfo)
        }
    }
}
