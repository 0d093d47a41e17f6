import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A local stand-in for Slack's Web API: answers `chat.postMessage`, `chat.update`, `conversations.open`,
/// `users.info`, `views.publish` and `response_url` posts the way Slack does, records every call, and plays
/// scripted failures (errors, 429 with `Retry-After`, 5xx) when a test asks for them.
package final class SlackAPIStandIn: Sendable {
    /// One request the stand-in received.
    package struct Call: Sendable {
        /// The API method (`chat.postMessage`) or `response_url`.
        package let method: String
        package let authorization: String?
        package let body: [UInt8]

        /// The body as a JSON object (nil when it is not one).
        package var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        }
    }

    /// A scripted answer for the next call of a method.
    package enum Scripted: Sendable {
        case slackError(String)
        case status(Int, retryAfter: Int? = nil)
        /// Answers normally, but only after this long (a provider that hangs past the client's timeout).
        case delay(Duration)
    }

    private let state = Mutex<(calls: [Call], counts: [String: Int], scripts: [String: [Scripted]], ts: Int)>(
        ([], [:], [:], 0))
    /// Display names `users.info` answers with, by user id ("Sam" for anyone else).
    private let displayNames = Mutex<[String: String]>([:])

    package init() {}

    /// Everything received so far, in order.
    package var calls: [Call] { state.withLock { $0.calls } }

    /// Calls of one method.
    package func calls(_ method: String) -> [Call] { calls.filter { $0.method == method } }

    /// How many calls of one method arrived, without copying them.
    package func count(of method: String) -> Int {
        state.withLock { $0.counts[method] ?? 0 }
    }

    /// Makes `users.info` answer `name` as the display name of `user`.
    package func setDisplayName(_ name: String, for user: String) {
        displayNames.withLock { $0[user] = name }
    }

    /// Queues answers for the next calls of `method`; after them, calls succeed again.
    package func script(_ method: String, _ answers: [Scripted]) {
        state.withLock { $0.scripts[method, default: []] += answers }
    }

    /// Runs the stand-in for the duration of `body`, which gets the API base URL (use it as
    /// `SLACK_API_BASE_URL`) and the `response_url` base.
    package func run<T>(_ body: (_ apiBaseURL: String, _ responseURLBase: String) async throws -> T) async throws -> T {
        let router = Router(context: BasicRequestContext.self)
        router.post("/api/{method}") { request, context in
            try await self.answer(method: context.parameters.get("method") ?? "", request: request)
        }
        router.post("/response/**") { request, _ in
            try await self.answer(method: "response_url", request: request)
        }
        return try await StandInServer.run(router) { base in
            try await body(base + "/api", base + "/response")
        }
    }

    private func answer(method: String, request: Request) async throws -> Response {
        var request = request
        let body = Array(try await request.collectBody(upTo: 1 << 20).readableBytesView)
        let call = Call(method: method, authorization: request.headers[.authorization], body: body)
        let (scripted, ts) = state.withLock { state -> (Scripted?, Int) in
            state.calls.append(call)
            state.counts[call.method, default: 0] += 1
            state.ts += 1
            guard var queue = state.scripts[method], !queue.isEmpty else { return (nil, state.ts) }
            let next = queue.removeFirst()
            state.scripts[method] = queue
            return (next, state.ts)
        }
        switch scripted {
        case .slackError(let code):
            return Self.json(["ok": false, "error": code])
        case .status(let status, let retryAfter):
            var headers: HTTPFields = [:]
            if let retryAfter { headers[.retryAfter] = String(retryAfter) }
            return Response(status: .init(code: status), headers: headers)
        case .delay(let pause):
            try await Task.sleep(for: pause)
        case nil:
            break
        }
        if method != "response_url", request.headers[.authorization]?.hasPrefix("Bearer xoxb-") != true {
            return Self.json(["ok": false, "error": "not_authed"])
        }
        let input = call.json ?? [:]
        switch method {
        case "chat.postMessage":
            return Self.json([
                "ok": true, "channel": input["channel"] ?? "", "ts": String(format: "1763900000.%06d", ts),
            ])
        case "conversations.open":
            return Self.json(["ok": true, "channel": ["id": "D" + ((input["users"] as? String) ?? "X")]])
        case "users.info":
            let user = (input["user"] as? String) ?? "U0"
            let displayName = displayNames.withLock { $0[user] } ?? "Sam"
            return Self.json([
                "ok": true,
                "user": [
                    "id": user, "name": "sam.rivera", "real_name": "Sam Rivera", "tz": "America/Chicago",
                    "is_bot": false, "deleted": false, "profile": ["display_name": displayName],
                ],
            ])
        case "response_url":
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok")))
        default:
            return Self.json(["ok": true])
        }
    }

    private static func json(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
