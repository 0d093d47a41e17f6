import Foundation
import HTTPTypes
import Hummingbird
import Learning
import Logging
import Metrics
import NIOCore
import Signing
import Slack

/// `POST /slack/events`, `/slack/commands` and `/slack/interactions`: verify the signature over the raw
/// bytes, store the request in the durable inbox, and only then answer 200. Workers do the rest.
package struct SlackWebhookController<Context: RequestContext>: Sendable {
    let verifier: SlackSignatureVerifier?
    let inbox: any InboxStore
    let metrics: GatewayMetrics
    let maxBodyBytes: Int

    package init(signingSecret: String?, inbox: any InboxStore, metrics: GatewayMetrics, maxBodyBytes: Int) {
        self.verifier = signingSecret.map { SlackSignatureVerifier(signingSecret: $0) }
        self.inbox = inbox
        self.metrics = metrics
        self.maxBodyBytes = maxBodyBytes
    }

    package func register(on router: Router<Context>) {
        router.post("/slack/events") { request, context in try await events(request, context: context) }
        router.post("/slack/commands") { request, context in try await commands(request, context: context) }
        router.post("/slack/interactions") { request, context in try await interactions(request, context: context) }
    }

    // MARK: - Routes

    func events(_ request: Request, context: Context) async throws -> Response {
        let body = try await verifiedBody(request, context: context)
        guard !InboundText.jsonContainsNUL(body) else { throw WebhookError.containsNUL }
        // Only what the answer depends on is read here (the worker decodes the whole envelope later); the summary
        // accepts and refuses exactly what decoding the envelope would.
        let envelope: SlackEventSummary
        do {
            envelope = try SlackEventSummary(body: body)
        } catch {
            throw WebhookError.malformed("the body is not a Slack Events API request")
        }
        switch envelope.type {
        case "url_verification":
            guard let challenge = envelope.challenge else {
                throw WebhookError.malformed("url_verification without challenge")
            }
            return JSONBody.response(["challenge": challenge])
        case "event_callback":
            guard let eventID = envelope.eventID, !eventID.isEmpty, envelope.hasEvent else {
                throw WebhookError.malformed("event_callback without event_id or event")
            }
            try Self.requireIdentifier(eventID, "event_id")
            try Self.requireIdentifier(
                envelope.eventUser, "event.user", maxBytes: AgentOrchestrator.maxLearnerIDLength)
            try Self.requireIdentifier(envelope.eventChannel, "event.channel")
            let retry = request.headers[HTTPField.Name("X-Slack-Retry-Num")!]
            let receipt = try await store(.slackEvent, eventID, body, request, context: context)
            if case .duplicate = receipt {
                context.logger.info(
                    "duplicate Slack event acknowledged",
                    metadata: ["event_id": "\(eventID)", "retry": "\(retry ?? "none")"])
            }
            return Response(status: .ok)
        default:
            // app_rate_limited and types added later: acknowledged, nothing to do.
            context.logger.info("Slack envelope type ignored", metadata: ["type": "\(envelope.type)"])
            return Response(status: .ok)
        }
    }

    func commands(_ request: Request, context: Context) async throws -> Response {
        if request.uri.queryParameters.get("ssl_check") == "1" {
            return Response(status: .ok)
        }
        let body = try await verifiedBody(request, context: context)
        let pairs: [(name: String, value: String)]
        do {
            pairs = try SlackFormDecoder.decode(body)
        } catch {
            throw WebhookError.malformed("the body is not a form")
        }
        let fields = SlackFormDecoder.firstValues(pairs)
        if fields["ssl_check"] == "1" { return Response(status: .ok) }
        guard !InboundText.containsNUL(pairs.map { ($0.name, $0.value) }) else { throw WebhookError.containsNUL }
        let command: SlackSlashCommand
        do {
            command = try SlackSlashCommand(form: fields)
        } catch {
            throw WebhookError.malformed(error.description)
        }
        try Self.requireIdentifier(command.userID, "user_id", maxBytes: AgentOrchestrator.maxLearnerIDLength)
        try Self.requireIdentifier(command.triggerID, "trigger_id")
        try Self.requireIdentifier(command.channelID, "channel_id")
        let key = command.triggerID ?? Hex.encode(Digest.sha256(body))
        try await store(.slackCommand, key, body, request, context: context)
        return Response(status: .ok)
    }

    func interactions(_ request: Request, context: Context) async throws -> Response {
        let body = try await verifiedBody(request, context: context)
        let pairs: [(name: String, value: String)]
        do {
            pairs = try SlackFormDecoder.decode(body)
        } catch {
            throw WebhookError.malformed("the body is not a Slack interaction payload")
        }
        // The payload is JSON inside the form: a NUL may hide in either.
        guard !InboundText.containsNUL(pairs.map { ($0.name, $0.value) }),
            !pairs.contains(where: { InboundText.jsonContainsNUL($0.value.utf8) })
        else { throw WebhookError.containsNUL }
        let interaction: SlackInteraction
        do {
            interaction = try SlackInteraction.decode(formBody: body)
        } catch {
            throw WebhookError.malformed("the body is not a Slack interaction payload")
        }
        try Self.requireIdentifier(interaction.user.id, "user.id", maxBytes: AgentOrchestrator.maxLearnerIDLength)
        try Self.requireIdentifier(interaction.channel?.id, "channel.id")
        for action in interaction.actions {
            try Self.requireIdentifier(action.actionID, "action_id")
            try Self.requireIdentifier(action.actionTS, "action_ts")
        }
        try Self.requireIdentifier(interaction.triggerID, "trigger_id")
        try await store(.slackInteraction, interaction.dedupeKey, body, request, context: context)
        return Response(status: .ok)
    }

    // MARK: - Shared steps

    /// Refuses an identifier that could not be stored or indexed as it is (see `InboundText`); absent is fine.
    private static func requireIdentifier(
        _ value: String?, _ name: String, maxBytes: Int = InboundText.maxIdentifierBytes
    ) throws {
        guard let value else { return }
        guard InboundText.isIdentifier(value, maxBytes: maxBytes) else {
            throw WebhookError.malformed("\(name) must be 1-\(maxBytes) bytes without spaces or control characters")
        }
    }

    /// The raw body, verified as Slack's.
    private func verifiedBody(_ request: Request, context: Context) async throws -> [UInt8] {
        guard let verifier else {
            context.logger.warning("Slack request refused: SLACK_SIGNING_SECRET is not set")
            metrics.counter("webhooks_total", [("source", "slack"), ("outcome", "unconfigured")]).increment()
            throw WebhookError.unauthorized("Slack is not configured on this gateway")
        }
        var request = request
        let buffer = try await request.collectBody(upTo: maxBodyBytes)
        let body = Array(buffer.readableBytesView)
        do {
            try verifier.verify(
                timestamp: request.headers[HTTPField.Name("X-Slack-Request-Timestamp")!],
                signature: request.headers[HTTPField.Name("X-Slack-Signature")!],
                body: body)
        } catch {
            context.logger.notice("Slack request refused", metadata: ["reason": "\(error)"])
            metrics.counter("webhooks_total", [("source", "slack"), ("outcome", "rejected")]).increment()
            throw WebhookError.unauthorized("invalid or stale Slack signature")
        }
        return body
    }

    @discardableResult
    private func store(
        _ source: InboundSource, _ externalID: String, _ body: [UInt8], _ request: Request, context: Context
    ) async throws -> InboxReceipt {
        do {
            let receipt = try await inbox.store(
                InboundMessage(
                    source: source, externalID: externalID, payload: body,
                    contentType: request.headers[.contentType]))
            let outcome = if case .stored = receipt { "stored" } else { "duplicate" }
            metrics.counter("webhooks_total", [("source", source.rawValue), ("outcome", outcome)]).increment()
            return receipt
        } catch {
            context.logger.error("webhook not stored; answering 503", metadata: ["source": "\(source.rawValue)"])
            metrics.counter("webhooks_total", [("source", source.rawValue), ("outcome", "unavailable")]).increment()
            throw WebhookError.unavailable
        }
    }
}

/// Webhook failures as HTTP answers: a status and a short JSON error, nothing internal.
package enum WebhookError: HTTPResponseError, CustomStringConvertible {
    case unauthorized(String)
    case malformed(String)
    case unavailable

    /// A signed body holding a NUL character, which the gateway cannot store as it came.
    static var containsNUL: WebhookError { .malformed("the body contains a NUL character, which cannot be stored") }

    package var status: HTTPResponse.Status {
        switch self {
        case .unauthorized: .unauthorized
        case .malformed: .badRequest
        case .unavailable: .serviceUnavailable
        }
    }

    package var description: String {
        switch self {
        case .unauthorized(let reason): "unauthorized: \(reason)"
        case .malformed(let reason): "malformed: \(reason)"
        case .unavailable: "unavailable"
        }
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        let error: GatewayHTTPError
        switch self {
        case .unauthorized(let reason):
            error = GatewayHTTPError(status: .unauthorized, code: "invalid_signature", message: reason)
        case .malformed(let reason):
            error = GatewayHTTPError(status: .badRequest, code: "malformed_request", message: reason)
        case .unavailable:
            error = GatewayHTTPError(
                status: .serviceUnavailable, code: "store_unavailable",
                message: "The message could not be stored; retry later.")
        }
        var response = try error.response(from: request, context: context)
        if case .unavailable = self { response.headers[.retryAfter] = "1" }
        return response
    }
}
