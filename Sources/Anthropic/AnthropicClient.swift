import Foundation
import HTTPClient
import Learning
import Logging

/// ``LanguageModel`` over Anthropic's Messages API: `POST {ANTHROPIC_BASE_URL}/v1/messages` through an
/// ``HTTPTransport`` (libcurl in production), non-streaming, with text and tool use.
///
/// It makes one attempt per call and leaves retrying to the caller: a chat turn would rather fall back to the
/// deterministic planner at once than wait. Errors say whether a retry could help (``AnthropicError/isRetryable``).
package struct AnthropicClient: LanguageModel {
    private let configuration: AnthropicConfiguration
    private let transport: any HTTPTransport
    private let logger: Logger

    package init(configuration: AnthropicConfiguration, transport: any HTTPTransport, logger: Logger) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
    }

    package var model: String { configuration.model }

    package func respond(
        system: String, messages: [LLMMessage], tools: [LLMToolDefinition], maxTokens: Int, timeout: Duration
    ) async throws -> LLMResponse {
        let request = try makeRequest(
            system: system, messages: messages, tools: tools, maxTokens: maxTokens, timeout: timeout)
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await transport.execute(request)
        } catch let error as HTTPClientError {
            throw AnthropicError(
                code: error.code == .timeout ? .timeout : .transport, message: error.description)
        }
        let elapsed = started.duration(to: .now)
        guard response.isSuccess else {
            let error = Self.error(for: response)
            logger.debug(
                "Anthropic call failed",
                metadata: ["status": "\(response.status)", "code": "\(error.code)", "elapsed": "\(elapsed)"])
            throw error
        }
        let decoded = try Self.decode(response)
        logger.debug(
            "Anthropic call answered",
            metadata: [
                "model": "\(configuration.model)", "stop_reason": "\(decoded.stopReason)", "elapsed": "\(elapsed)",
                "tool_uses": "\(decoded.toolUses.count)",
            ])
        return decoded
    }

    /// The HTTP request for one call. Its `description` redacts `x-api-key`.
    package func makeRequest(
        system: String, messages: [LLMMessage], tools: [LLMToolDefinition], maxTokens: Int, timeout: Duration
    ) throws -> HTTPRequest {
        let body = AnthropicWireFormat.Request(
            model: configuration.model, maxTokens: maxTokens, system: system,
            messages: messages.map(AnthropicWireFormat.Message.init),
            tools: tools.isEmpty ? nil : tools.map(AnthropicWireFormat.Tool.init))
        var request: HTTPRequest
        do {
            request = try HTTPRequest.json(
                .post, url: configuration.messagesURL, body: body,
                headers: [
                    (name: "x-api-key", value: configuration.apiKey),
                    (name: "anthropic-version", value: AnthropicConfiguration.apiVersion),
                    (name: "content-type", value: "application/json"),
                ])
        } catch {
            throw AnthropicError(code: .invalidRequest, message: "the request body could not be encoded as JSON")
        }
        request.timeout = timeout
        return request
    }

    /// The typed error for a response with a non-2xx status.
    static func error(for response: HTTPResponse) -> AnthropicError {
        let errorType = (try? response.decode(AnthropicWireFormat.ErrorResponse.self)).map(\.error.type)
            .flatMap(Self.safeErrorType)
        let status = response.status
        switch status {
        case 429:
            return AnthropicError(
                code: .rateLimited, status: status, errorType: errorType, retryAfter: response.retryAfter,
                message: "too many requests")
        case 529:
            return AnthropicError(
                code: .overloaded, status: status, errorType: errorType, retryAfter: response.retryAfter,
                message: "the API is overloaded")
        case 500...599:
            return AnthropicError(code: .serverError, status: status, errorType: errorType, message: "server error")
        default:
            return AnthropicError(
                code: .requestRejected, status: status, errorType: errorType, message: "the request was refused")
        }
    }

    /// The message in a 2xx response.
    static func decode(_ response: HTTPResponse) throws -> LLMResponse {
        func malformed(_ message: String) -> AnthropicError {
            AnthropicError(code: .malformedResponse, status: response.status, message: message)
        }
        let wire: AnthropicWireFormat.Response
        do {
            wire = try response.decode(AnthropicWireFormat.Response.self)
        } catch {
            throw malformed("the body is not a Messages API message")
        }
        if let type = wire.type, type != "message" { throw malformed("the body is not of type message") }
        var blocks: [LLMContentBlock] = []
        for block in wire.content {
            switch block.type {
            case "text":
                guard let text = block.text else { throw malformed("a text block has no text") }
                blocks.append(.text(text))
            case "tool_use":
                guard let id = block.id, !id.isEmpty, let name = block.name, !name.isEmpty,
                    let input = block.input, case .object = input
                else { throw malformed("a tool_use block lacks its id, name or object input") }
                blocks.append(.toolUse(LLMToolUse(id: id, name: name, input: input)))
            default:
                // Other block kinds (thinking…) carry nothing this planner uses.
                continue
            }
        }
        return LLMResponse(content: blocks, stopReason: Self.stopReason(wire.stopReason))
    }

    static func stopReason(_ value: String?) -> LLMStopReason {
        switch value {
        case "end_turn": .endTurn
        case "tool_use": .toolUse
        case "max_tokens": .maxTokens
        case "stop_sequence": .stopSequence
        case let other: .other(other ?? "")
        }
    }

    /// Anthropic's error types are short snake_case words; anything else is not echoed.
    private static func safeErrorType(_ type: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz_")
        return type.count <= 64 && !type.isEmpty && type.allSatisfy { allowed.contains($0) } ? type : nil
    }
}
