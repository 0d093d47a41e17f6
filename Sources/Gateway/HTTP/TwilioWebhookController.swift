import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOCore
import SMS

/// `POST /twilio/sms` and `POST /twilio/status`: verify Twilio's signature (403 otherwise, and nothing else
/// happens), decode the parameters, check the numbers, store the request in the durable inbox (deduplicated on
/// `MessageSid`), and only then answer: TwiML `<Response/>` for messages, an empty 200 for status callbacks.
/// Replies go out later through the outbox.
///
/// A form body is signed over the public URL and its parameters. An `application/json` body is signed over the
/// public URL alone, whose `bodySHA256` query parameter must be the SHA-256 of the raw body; its object's string
/// members are then the parameters (400 when it is not such an object).
package struct TwilioWebhookController<Context: RequestContext>: Sendable {
    let verifier: TwilioSignatureVerifier?
    let publicBaseURL: String
    let inbox: any InboxStore
    let metrics: GatewayMetrics
    let maxBodyBytes: Int

    package init(
        authToken: String?, publicBaseURL: String, inbox: any InboxStore, metrics: GatewayMetrics, maxBodyBytes: Int
    ) {
        self.verifier = authToken.map { TwilioSignatureVerifier(authToken: $0) }
        self.publicBaseURL = publicBaseURL
        self.inbox = inbox
        self.metrics = metrics
        self.maxBodyBytes = maxBodyBytes
    }

    package func register(on router: Router<Context>) {
        router.post("/twilio/sms") { request, context in try await message(request, context) }
        router.post("/twilio/status") { request, context in try await status(request, context) }
    }

    func message(_ request: Request, _ context: Context) async throws -> Response {
        let webhook = try await verified(request, context)
        let first = webhook.firstValues
        guard let sid = first["MessageSid"] ?? first["SmsSid"], !sid.isEmpty else {
            throw WebhookError.malformed("MessageSid is missing")
        }
        try Self.requireIdentifier(sid, "MessageSid")
        guard let from = first["From"], (try? PhoneNumber(validating: from)) != nil else {
            throw WebhookError.malformed("From is not an E.164 phone number")
        }
        try await store(.twilioSMS, sid, webhook, context)
        return Response(
            status: .ok, headers: [.contentType: TwiML.contentType],
            body: .init(byteBuffer: ByteBuffer(string: TwiML.empty.xml)))
    }

    func status(_ request: Request, _ context: Context) async throws -> Response {
        let webhook = try await verified(request, context)
        let first = webhook.firstValues
        guard let sid = first["MessageSid"] ?? first["SmsSid"], !sid.isEmpty,
            let state = first["MessageStatus"] ?? first["SmsStatus"], !state.isEmpty
        else { throw WebhookError.malformed("MessageSid or MessageStatus is missing") }
        try Self.requireIdentifier(sid, "MessageSid")
        try Self.requireIdentifier(state, "MessageStatus")
        // Each status of a message is its own event; a repeated callback of the same status is a duplicate.
        try await store(.twilioStatus, "\(sid):\(state)", webhook, context)
        return Response(status: .ok)
    }

    /// A request verified as Twilio's: its raw body, how that body carries the parameters, and the parameters.
    struct VerifiedWebhook {
        let body: [UInt8]
        let format: TwilioWebhookFormat
        let parameters: [(String, String)]

        /// Each parameter's first value.
        var firstValues: [String: String] {
            Dictionary(parameters, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Refuses an identifier that could not be stored or indexed as it is (see `InboundText`).
    private static func requireIdentifier(_ value: String, _ name: String) throws {
        guard InboundText.isIdentifier(value) else {
            throw WebhookError.malformed(
                "\(name) must be 1-\(InboundText.maxIdentifierBytes) bytes without spaces or control characters")
        }
    }

    /// The request's body and parameters, verified as Twilio's, with no NUL in any parameter (400 otherwise).
    private func verified(_ request: Request, _ context: Context) async throws -> VerifiedWebhook {
        let webhook = try await verifiedSignature(request, context)
        guard !InboundText.containsNUL(webhook.parameters) else { throw WebhookError.containsNUL }
        return webhook
    }

    /// The request's body and parameters, verified as Twilio's.
    private func verifiedSignature(_ request: Request, _ context: Context) async throws -> VerifiedWebhook {
        guard let verifier else {
            context.logger.warning("Twilio request refused: TWILIO_AUTH_TOKEN is not set")
            metrics.counter("webhooks_total", [("source", "twilio"), ("outcome", "unconfigured")]).increment()
            throw TwilioWebhookError.forbidden
        }
        var request = request
        let body = Array(try await request.collectBody(upTo: maxBodyBytes).readableBytesView)
        let format = TwilioWebhookFormat(contentType: request.headers[.contentType])
        let signature = request.headers[HTTPField.Name("X-Twilio-Signature")!]
        // Twilio signs the URL it called: our public URL, never the one a proxy handed us.
        let url = publicBaseURL + request.uri.description
        switch format {
        case .form:
            let parameters: [(String, String)]
            do {
                parameters = try format.parameters(of: body)
            } catch {
                // A body that is not a form cannot carry a valid signature either: refuse it as unsigned.
                throw rejected(context)
            }
            guard verifier.isValid(signature: signature, url: url, formParameters: parameters) else {
                throw rejected(context)
            }
            return VerifiedWebhook(body: body, format: format, parameters: parameters)
        case .json:
            // The signature and the body's hash are checked over the raw bytes before anything is decoded.
            guard verifier.isValid(signature: signature, url: url, jsonBody: body) else { throw rejected(context) }
            do throws(SMSError) {
                return VerifiedWebhook(body: body, format: format, parameters: try format.parameters(of: body))
            } catch {
                throw WebhookError.malformed(error.message)
            }
        }
    }

    private func rejected(_ context: Context) -> TwilioWebhookError {
        context.logger.notice("Twilio request refused: bad or missing signature")
        metrics.counter("webhooks_total", [("source", "twilio"), ("outcome", "rejected")]).increment()
        return .forbidden
    }

    private func store(
        _ source: InboundSource, _ externalID: String, _ webhook: VerifiedWebhook, _ context: Context
    ) async throws {
        do {
            // The worker decodes the stored body again, so it keeps the format it came in.
            let receipt = try await inbox.store(
                InboundMessage(
                    source: source, externalID: externalID, payload: webhook.body,
                    contentType: webhook.format.contentType))
            let outcome = if case .stored = receipt { "stored" } else { "duplicate" }
            metrics.counter("webhooks_total", [("source", source.rawValue), ("outcome", outcome)]).increment()
        } catch {
            context.logger.error("webhook not stored; answering 503", metadata: ["source": "\(source.rawValue)"])
            metrics.counter("webhooks_total", [("source", source.rawValue), ("outcome", "unavailable")]).increment()
            throw WebhookError.unavailable
        }
    }
}

/// Twilio's routes answer a bad or missing signature with 403, as Twilio's own helpers do.
package enum TwilioWebhookError: HTTPResponseError {
    case forbidden

    package var status: HTTPResponse.Status { .forbidden }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        try GatewayHTTPError(status: .forbidden, code: "invalid_signature", message: "invalid Twilio signature")
            .response(from: request, context: context)
    }
}
