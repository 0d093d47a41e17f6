import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Learning
import NIOCore
import Postgres
import TestSupport
import Testing

@Suite struct AgentAPITests {
    static let key = "test-key-0123456789abcdef"

    static func withAPI(
        _ overrides: [String: String] = [:],
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let schema = try await TestSchema.create()
        var settings = ["GATEWAY_API_KEYS": "other-key-aaaaaaaaaaaaaa,\(key)"]
        settings.merge(overrides) { _, new in new }
        let dependencies = try GatewayTestHarness.dependencies(schema: schema, settings)
        try await dependencies.migrator.migrate()
        try await CurriculumSync(pool: dependencies.postgres).sync(dependencies.curriculum)
        try await buildApplication(dependencies: dependencies, roles: [.web]).test(.router) { client in
            try await body(client)
        }
        await GatewayTestHarness.close(dependencies)
        await schema.drop()
    }

    static func call(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, json: String? = nil,
        key: String? = key
    ) async throws -> (HTTPResponse.Status, [String: Any]) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let key { headers[HTTPField.Name("X-API-Key")!] = key }
        return try await client.execute(
            uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }
        ) { response in
            let object =
                (try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))) as? [String: Any]
            return (response.status, object ?? [:])
        }
    }

    @Test func chatCreatesTheLearnerAndAnswers() async throws {
        try await Self.withAPI { client in
            let (status, body) = try await Self.call(
                client, .post, "/api/v1/agent/chat", json: #"{"learner_id":"emp-42","message":"hello"}"#)
            #expect(status == .ok)
            #expect(body["learner_id"] as? String == "emp-42")
            let reply = try #require(body["reply"] as? [String: Any])
            #expect(!(reply["text"] as? String ?? "").isEmpty)
            let (pathStatus, path) = try await Self.call(client, .get, "/api/v1/agent/learning-path/emp-42")
            #expect(pathStatus == .ok)
            #expect(path["current_topic"] as? String != nil)
        }
    }

    @Test func lessonThenAnswerIsGradedAndShowsInProgress() async throws {
        try await Self.withAPI { client in
            let (status, started) = try await Self.call(
                client, .post, "/api/v1/agent/start-lesson", json: #"{"learner_id":"emp-7","topic":"apr"}"#)
            #expect(status == .ok)
            let lesson = try #require((started["reply"] as? [String: Any])?["lesson"] as? [String: Any])
            #expect(lesson["topic"] as? String == "apr")
            #expect((lesson["options"] as? [String])?.count == 4)
            #expect(lesson["correct_index"] == nil)
            let attempt = try #require(lesson["attempt_id"] as? String)

            let (answered, graded) = try await Self.call(
                client, .post, "/api/v1/agent/submit-answer",
                json: #"{"learner_id":"emp-7","attempt_id":"\#(attempt)","answer":" b "}"#)
            #expect(answered == .ok)
            let verdict = try #require((graded["reply"] as? [String: Any])?["verdict"] as? [String: Any])
            #expect(verdict["selected_index"] as? Int == 1)
            #expect(verdict["correct_index"] as? Int != nil)

            let (progressStatus, progress) = try await Self.call(client, .get, "/api/v1/learners/emp-7/progress")
            #expect(progressStatus == .ok)
            #expect(progress["quizzes_answered"] as? Int == 1)
            #expect((progress["mastery"] as? [[String: Any]])?.first?["topic"] as? String == "apr")
        }
    }

    @Test(arguments: [
        ("/api/v1/agent/chat", "{not json", HTTPResponse.Status.badRequest, "malformed_json"),
        ("/api/v1/agent/chat", #"{"message":"hi"}"#, .unprocessableContent, "invalid_request"),
        ("/api/v1/agent/chat", #"{"learner_id":"a"}"#, .unprocessableContent, "invalid_request"),
        ("/api/v1/agent/chat", #"{"learner_id":"   ","message":"hi"}"#, .unprocessableContent, "invalid_request"),
        ("/api/v1/agent/chat", #"{"learner_id":5,"message":"hi"}"#, .badRequest, "malformed_json"),
        (
            "/api/v1/agent/start-lesson", #"{"learner_id":"a","topic":"crypto"}"#, .unprocessableContent,
            "invalid_request"
        ),
        ("/api/v1/agent/submit-answer", #"{"learner_id":"never-seen","answer":"A"}"#, .notFound, "unknown_learner"),
        ("/api/v1/agent/submit-answer", #"{"learner_id":"a"}"#, .unprocessableContent, "invalid_request"),
    ])
    func badInputGetsAClearClientError(path: String, json: String, status: HTTPResponse.Status, code: String)
        async throws
    {
        try await Self.withAPI { client in
            let (actual, body) = try await Self.call(client, .post, path, json: json)
            #expect(actual == status)
            #expect(body["error"] as? String == code)
        }
    }

    @Test func submitAnswerValidatesTheAttemptAndTheAnswer() async throws {
        try await Self.withAPI { client in
            _ = try await Self.call(
                client, .post, "/api/v1/agent/chat", json: #"{"learner_id":"emp-9","message":"hi"}"#)
            let (badID, _) = try await Self.call(
                client, .post, "/api/v1/agent/submit-answer",
                json: #"{"learner_id":"emp-9","attempt_id":"nope","answer":"A"}"#)
            #expect(badID == .unprocessableContent)
            let (badAnswer, _) = try await Self.call(
                client, .post, "/api/v1/agent/submit-answer",
                json: #"{"learner_id":"emp-9","attempt_id":"\#(UUID().uuidString)","answer":"Z"}"#)
            #expect(badAnswer == .unprocessableContent)
        }
    }

    @Test func unknownLearnersAre404OnReads() async throws {
        try await Self.withAPI { client in
            let path = try await Self.call(client, .get, "/api/v1/agent/learning-path/ghost")
            #expect(path.0 == .notFound)
            let progress = try await Self.call(client, .get, "/api/v1/learners/ghost/progress")
            #expect(progress.0 == .notFound)
        }
    }

    @Test func keysAreRequiredAndChecked() async throws {
        try await Self.withAPI { client in
            let (missing, body) = try await Self.call(client, .get, "/api/v1/learners/x/progress", key: nil)
            #expect(missing == .unauthorized)
            #expect(body["error"] as? String == "missing_api_key")
            let (wrong, _) = try await Self.call(client, .get, "/api/v1/learners/x/progress", key: Self.key + "x")
            #expect(wrong == .unauthorized)
            let (second, _) = try await Self.call(
                client, .get, "/api/v1/learners/x/progress", key: "other-key-aaaaaaaaaaaaaa")
            #expect(second == .notFound)
        }
    }

    @Test func withoutConfiguredKeysTheAPIRefusesEverything() async throws {
        try await Self.withAPI(["GATEWAY_API_KEYS": ""]) { client in
            for (method, path) in [
                (HTTPRequest.Method.post, "/api/v1/agent/chat"), (.post, "/api/v1/agent/start-lesson"),
                (.post, "/api/v1/agent/submit-answer"), (.get, "/api/v1/agent/learning-path/a"),
                (.get, "/api/v1/learners/a/progress"),
            ] {
                let (status, body) = try await Self.call(
                    client, method, path, json: #"{"learner_id":"a","message":"hi"}"#)
                #expect(status == .forbidden)
                #expect(body["error"] as? String == "api_disabled")
            }
        }
    }

    @Test func storeDownIs503NotA500() async throws {
        let dependencies = try GatewayTestHarness.dependencies(
            schema: nil, ["GATEWAY_API_KEYS": Self.key, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"])
        try await buildApplication(dependencies: dependencies, roles: [.web]).test(.router) { client in
            let (status, body) = try await Self.call(
                client, .post, "/api/v1/agent/chat", json: #"{"learner_id":"a","message":"hi"}"#)
            #expect(status == .serviceUnavailable)
            #expect(body["error"] as? String == "unavailable")
        }
        await GatewayTestHarness.close(dependencies)
    }
}
