import Anthropic
import Foundation
import HTTPClient
import Learning
import TestSupport
import Testing

@Suite struct AnthropicClientTests {
    private let tool = LLMToolDefinition(
        name: "assess_knowledge", description: "Measure knowledge.",
        inputSchema: .object(["type": .string("object"), "properties": .object([:])]))

    private func withClient(
        key: String = testAPIKey, _ body: (AnthropicClient, AnthropicStandIn) async throws -> Void
    ) async throws {
        let transport = CurlHTTPClient()
        let standIn = AnthropicStandIn()
        do {
            try await standIn.run { baseURL in
                let client = AnthropicClient(
                    configuration: AnthropicConfiguration(apiKey: key, model: "claude-test", baseURL: baseURL + "/"),
                    transport: transport, logger: TestEnvironment.logger)
                try await body(client, standIn)
            }
        } catch {
            await transport.shutdown()
            throw error
        }
        await transport.shutdown()
    }

    private func call(_ client: AnthropicClient, _ messages: [LLMMessage] = [.user("hi")]) async throws -> LLMResponse {
        try await client.respond(
            system: "Be brief.", messages: messages, tools: [tool], maxTokens: 256, timeout: .seconds(5))
    }

    @Test func decodesToolUseAndSendsToolResultsBack() async throws {
        try await withClient { client, standIn in
            standIn.script([.toolUse(name: "assess_knowledge", input: #"{"topic": "apr"}"#), .text("Done.")])
            let first = try await call(client)
            #expect(first.stopReason == .toolUse)
            #expect(first.text == "Let me check.")
            let use = try #require(first.toolUses.first)
            #expect(use.name == "assess_knowledge")
            #expect(use.input["topic"] == .string("apr"))

            let result = LLMContentBlock.toolResult(toolUseID: use.id, content: "no such topic", isError: true)
            let second = try await call(
                client,
                [
                    .user("hi"), LLMMessage(role: .assistant, content: first.content),
                    LLMMessage(role: .user, content: [result]),
                ])
            #expect(second.stopReason == .endTurn)
            #expect(second.text == "Done.")

            let sent = try #require(standIn.calls.last)
            #expect(sent.json?["model"] as? String == "claude-test")
            #expect(sent.json?["max_tokens"] as? Int == 256)
            #expect(sent.json?["system"] as? String == "Be brief.")
            #expect(sent.toolNames == ["assess_knowledge"])
            let sentResult = try #require(sent.toolResults.first)
            #expect(sentResult["tool_use_id"] as? String == use.id)
            #expect(sentResult["is_error"] as? Bool == true)
            #expect(sentResult["content"] as? String == "no such topic")
        }
    }

    @Test func errorStatusesBecomeTypedErrorsThatNeverShowTheKey() async throws {
        try await withClient { client, standIn in
            standIn.script([
                .status(429, errorType: "rate_limit_error", retryAfter: 7),
                .status(529, errorType: "overloaded_error"),
                .status(503, errorType: "api_error"),
                .status(400, errorType: "invalid_request_error"),
                .malformed("<html>gateway error</html>"),
                .malformed(#"{"type": "message", "content": [{"type": "tool_use", "name": "x"}]}"#),
            ])
            let expected: [(AnthropicError.Code, Bool)] = [
                (.rateLimited, true), (.overloaded, true), (.serverError, true), (.requestRejected, false),
                (.malformedResponse, false), (.malformedResponse, false),
            ]
            for (code, retryable) in expected {
                let error = try await #require(throws: AnthropicError.self) { try await call(client) }
                #expect(error.code == code)
                #expect(error.isRetryable == retryable)
                #expect(!String(describing: error).contains(testAPIKey))
                #expect(!String(reflecting: error).contains(testAPIKey))
                if code == .rateLimited {
                    #expect(error.retryAfter == .seconds(7))
                    #expect(error.errorType == "rate_limit_error")
                }
            }
        }
    }

    @Test func missingKeyIsRefusedAsAPermanentError() async throws {
        try await withClient(key: "") { client, _ in
            let error = try await #require(throws: AnthropicError.self) { try await call(client) }
            #expect(error.code == .requestRejected)
            #expect(error.status == 401)
            #expect(error.errorType == "authentication_error")
        }
    }

    @Test func unreachableServerIsARetryableTransportErrorWithoutTheKey() async throws {
        let transport = CurlHTTPClient()
        let client = AnthropicClient(
            configuration: AnthropicConfiguration(apiKey: testAPIKey, baseURL: "http://127.0.0.1:1"),
            transport: transport, logger: TestEnvironment.logger)
        let error = await #expect(throws: AnthropicError.self) { try await call(client) }
        await transport.shutdown()
        #expect(error?.code == .transport)
        #expect(error?.isRetryable == true)
        #expect(error.map { String(describing: $0).contains(testAPIKey) } == false)
    }

    @Test func requestDescriptionRedactsTheKey() throws {
        let client = AnthropicClient(
            configuration: AnthropicConfiguration(apiKey: testAPIKey), transport: StubHTTPTransport(),
            logger: TestEnvironment.logger)
        let request = try client.makeRequest(
            system: "s", messages: [.user("hi")], tools: [], maxTokens: 10, timeout: .seconds(1))
        #expect(request.url == "https://api.anthropic.com/v1/messages")
        #expect(request.header("x-api-key") == testAPIKey)
        #expect(!request.description.contains(testAPIKey))
        #expect(!AnthropicConfiguration(apiKey: testAPIKey).description.contains(testAPIKey))
        let body = try JSONValue.parse(String(decoding: try #require(request.body), as: UTF8.self))
        #expect(body["tools"] == nil)
    }
}

/// A transport that is never called.
struct StubHTTPTransport: HTTPTransport {
    func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        HTTPResponse(status: 599)
    }
}
