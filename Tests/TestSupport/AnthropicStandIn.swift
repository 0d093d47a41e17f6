import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A local stand-in for Anthropic's Messages API (`POST /v1/messages`): checks a request the way the API does
/// (key, version, JSON body with model, max_tokens and messages, every tool_use answered by a tool_result in the
/// next message), records it, and answers from a script: text, a tool use, an error status, a malformed body, or
/// any of them after a delay. With the script empty it plays its default answer.
package final class AnthropicStandIn: Sendable {
    /// One request the stand-in received.
    package struct Call: Sendable {
        /// Header values by lowercased name.
        package let headers: [String: String]
        package let body: [UInt8]

        package var bodyText: String { String(decoding: body, as: UTF8.self) }

        /// The body as a JSON object (nil when it is not one).
        package var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        }

        /// The names of the tools offered.
        package var toolNames: [String] {
            ((json?["tools"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        }

        /// The messages sent.
        package var messages: [[String: Any]] {
            (json?["messages"] as? [[String: Any]]) ?? []
        }

        /// Every `tool_result` block sent, in order.
        package var toolResults: [[String: Any]] {
            messages.flatMap { ($0["content"] as? [[String: Any]]) ?? [] }.filter {
                $0["type"] as? String == "tool_result"
            }
        }
    }

    /// A scripted answer.
    package indirect enum Answer: Sendable {
        /// A final text message (`stop_reason: end_turn`).
        case text(String)
        /// A tool use (`stop_reason: tool_use`) with its input as JSON object text.
        case toolUse(name: String, input: String)
        /// An error status with Anthropic's error body (`overloaded_error`…) and an optional `Retry-After`.
        case status(Int, errorType: String, retryAfter: Int? = nil)
        /// A 200 whose body is this text.
        case malformed(String)
        /// `answer`, after waiting.
        case delayed(Duration, Answer)
    }

    private struct State {
        var calls: [Call] = []
        var script: [Answer] = []
        var defaultAnswer: Answer
        var toolUseCount = 0
    }

    private let state: Mutex<State>

    package init(defaultAnswer: Answer = .text("Stand-in reply.")) {
        state = Mutex(State(defaultAnswer: defaultAnswer))
    }

    /// Everything received so far, in order.
    package var calls: [Call] { state.withLock { $0.calls } }

    /// Queues answers for the next calls; after them the default answer plays again.
    package func script(_ answers: [Answer]) {
        state.withLock { $0.script += answers }
    }

    /// Replaces the answer played when the script is empty.
    package func setDefault(_ answer: Answer) {
        state.withLock { $0.defaultAnswer = answer }
    }

    /// Runs the stand-in for the duration of `body`, which gets the base URL (use it as `ANTHROPIC_BASE_URL`).
    package func run<T>(_ body: (_ baseURL: String) async throws -> T) async throws -> T {
        let router = Router(context: BasicRequestContext.self)
        router.post("/v1/messages") { request, _ in
            try await self.answer(request)
        }
        return try await StandInServer.run(router, body)
    }

    private func answer(_ request: Request) async throws -> Response {
        var request = request
        let body = Array(try await request.collectBody(upTo: 4 << 20).readableBytesView)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let call = Call(headers: headers, body: body)
        let (answer, number) = state.withLock { state -> (Answer, Int) in
            state.calls.append(call)
            let answer = state.script.isEmpty ? state.defaultAnswer : state.script.removeFirst()
            return (answer, state.calls.count)
        }
        if headers["x-api-key", default: ""].isEmpty {
            return Self.error(401, "authentication_error", "x-api-key header is required")
        }
        guard headers["anthropic-version"] != nil else {
            return Self.error(400, "invalid_request_error", "anthropic-version header is required")
        }
        guard let json = call.json, let model = json["model"] as? String, json["max_tokens"] is Int,
            let messages = json["messages"] as? [[String: Any]], !messages.isEmpty
        else { return Self.error(400, "invalid_request_error", "model, max_tokens and messages are required") }
        if let problem = Self.toolPairingProblem(messages) {
            return Self.error(400, "invalid_request_error", problem)
        }
        return try await play(answer, model: model, number: number)
    }

    private func play(_ answer: Answer, model: String, number: Int) async throws -> Response {
        switch answer {
        case .delayed(let delay, let then):
            try await Task.sleep(for: delay)
            return try await play(then, model: model, number: number)
        case .text(let text):
            return Self.message(
                model: model, number: number, content: [["type": "text", "text": text]], stopReason: "end_turn")
        case .toolUse(let name, let inputText):
            let input = (try? JSONSerialization.jsonObject(with: Data(inputText.utf8))) ?? [String: Any]()
            let id = state.withLock { state -> String in
                state.toolUseCount += 1
                return "toolu_standin_\(state.toolUseCount)"
            }
            return Self.message(
                model: model, number: number,
                content: [
                    ["type": "text", "text": "Let me check."],
                    ["type": "tool_use", "id": id, "name": name, "input": input],
                ],
                stopReason: "tool_use")
        case .status(let status, let errorType, let retryAfter):
            var response = Self.error(status, errorType, "scripted failure")
            if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
            return response
        case .malformed(let text):
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// What the API would refuse about tool pairing: a tool_use not answered by a tool_result in the next user
    /// message, or a tool_result answering no tool_use of the message before it.
    private static func toolPairingProblem(_ messages: [[String: Any]]) -> String? {
        func blocks(_ message: [String: Any], _ type: String) -> [[String: Any]] {
            ((message["content"] as? [[String: Any]]) ?? []).filter { $0["type"] as? String == type }
        }
        for (index, message) in messages.enumerated() {
            let previousUses =
                index > 0 ? Set(blocks(messages[index - 1], "tool_use").compactMap { $0["id"] as? String }) : []
            let results = Set(blocks(message, "tool_result").compactMap { $0["tool_use_id"] as? String })
            if !results.isSubset(of: previousUses) { return "tool_result without a matching tool_use" }
            let uses = Set(blocks(message, "tool_use").compactMap { $0["id"] as? String })
            if !uses.isEmpty {
                let next = index + 1 < messages.count ? messages[index + 1] : [:]
                let answered = Set(blocks(next, "tool_result").compactMap { $0["tool_use_id"] as? String })
                if !uses.isSubset(of: answered) { return "tool_use ids were found without tool_result blocks" }
            }
        }
        return nil
    }

    private static func message(
        model: String, number: Int, content: [[String: Any]], stopReason: String
    ) -> Response {
        json(
            200,
            [
                "id": "msg_standin_\(number)", "type": "message", "role": "assistant", "model": model,
                "content": content, "stop_reason": stopReason, "stop_sequence": NSNull(),
                "usage": ["input_tokens": 100, "output_tokens": 20],
            ])
    }

    private static func error(_ status: Int, _ type: String, _ message: String) -> Response {
        json(status, ["type": "error", "error": ["type": type, "message": message]])
    }

    private static func json(_ status: Int, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return Response(
            status: .init(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
