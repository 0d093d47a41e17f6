import Foundation
import HTTPTypes
import Hummingbird
import Learning
import Logging
import NIOCore
import Postgres

/// The agent's JSON API for other systems: chat, start a lesson, submit an answer, read a learning path and
/// progress. Every call needs an `X-API-Key` from `GATEWAY_API_KEYS` (compared in constant time); with no keys
/// configured the API refuses everything. `learner_id` is the caller's own id for a learner (channel `api`).
package struct AgentAPIController<Context: RequestContext>: Sendable {
    let apiKeys: APIKeyVerifier
    let agent: any AgentTurnHandler
    let store: PostgresLearningStore
    let curriculum: CurriculumPack
    let toolbox: LearningToolbox
    let maxBodyBytes: Int

    package init(
        apiKeys: [String], agent: any AgentTurnHandler, store: PostgresLearningStore, curriculum: CurriculumPack,
        maxBodyBytes: Int
    ) {
        self.apiKeys = APIKeyVerifier(keys: apiKeys)
        self.agent = agent
        self.store = store
        self.curriculum = curriculum
        self.toolbox = LearningToolbox(curriculum: curriculum, store: store, clock: SystemWallClock())
        self.maxBodyBytes = maxBodyBytes
    }

    package func register(on router: Router<Context>) {
        router.post("/api/v1/agent/chat") { request, context in try await chat(request, context) }
        router.post("/api/v1/agent/start-lesson") { request, context in try await startLesson(request, context) }
        router.post("/api/v1/agent/submit-answer") { request, context in try await submitAnswer(request, context) }
        router.get("/api/v1/agent/learning-path/{learner_id}") { request, context in
            try await learningPath(request, context)
        }
        router.get("/api/v1/learners/{id}/progress") { request, context in try await progress(request, context) }
    }

    // MARK: - Requests and answers

    struct ChatRequest: Decodable {
        let learnerID: String?
        let message: String?
        enum CodingKeys: String, CodingKey {
            case message
            case learnerID = "learner_id"
        }
    }

    struct StartLessonRequest: Decodable {
        let learnerID: String?
        let topic: String?
        enum CodingKeys: String, CodingKey {
            case topic
            case learnerID = "learner_id"
        }
    }

    struct SubmitAnswerRequest: Decodable {
        let learnerID: String?
        let attemptID: String?
        let answer: String?
        enum CodingKeys: String, CodingKey {
            case answer
            case learnerID = "learner_id"
            case attemptID = "attempt_id"
        }
    }

    struct ReplyBody: Encodable {
        let learnerID: String
        let reply: AgentReply
        enum CodingKeys: String, CodingKey {
            case reply
            case learnerID = "learner_id"
        }
    }

    // MARK: - Routes

    func chat(_ request: Request, _ context: Context) async throws -> Response {
        try authorise(request)
        let body: ChatRequest = try await decode(request)
        let learner = try requireLearnerID(body.learnerID)
        guard let message = body.message?.trimmingCharacters(in: .whitespacesAndNewlines), !message.isEmpty else {
            throw APIError.unprocessable("message is required")
        }
        guard message.count <= 4000 else { throw APIError.unprocessable("message is longer than 4000 characters") }
        let reply = try await turn(AgentInput(learnerID: learner, channel: .api, text: message), context)
        return JSONBody.response(ReplyBody(learnerID: learner, reply: reply), encoder: Self.encoder)
    }

    func startLesson(_ request: Request, _ context: Context) async throws -> Response {
        try authorise(request)
        let body: StartLessonRequest = try await decode(request)
        let learner = try requireLearnerID(body.learnerID)
        var action = AgentAction.nextLesson
        if let topic = body.topic?.trimmingCharacters(in: .whitespaces), !topic.isEmpty {
            guard curriculum.topic(topic) != nil else {
                throw APIError.unprocessable(
                    "topic must be one of: " + curriculum.topics.map(\.slug).joined(separator: ", "))
            }
            action = .startTopic(topic)
        }
        let reply = try await turn(AgentInput(learnerID: learner, channel: .api, action: action), context)
        return JSONBody.response(ReplyBody(learnerID: learner, reply: reply), encoder: Self.encoder)
    }

    func submitAnswer(_ request: Request, _ context: Context) async throws -> Response {
        try authorise(request)
        let body: SubmitAnswerRequest = try await decode(request)
        let learner = try requireLearnerID(body.learnerID)
        guard let answer = body.answer?.trimmingCharacters(in: .whitespacesAndNewlines), !answer.isEmpty else {
            throw APIError.unprocessable("answer is required")
        }
        guard answer.count <= 4000 else { throw APIError.unprocessable("answer is longer than 4000 characters") }
        guard try await knownLearner(learner) != nil else { throw APIError.unknownLearner }
        let input: AgentInput
        if let attemptText = body.attemptID {
            guard let attempt = UUID(uuidString: attemptText) else {
                throw APIError.unprocessable("attempt_id must be a UUID")
            }
            let options = try await options(ofAttempt: attempt)
            guard let index = AnswerParser().index(of: answer, options: options) else {
                throw APIError.unprocessable("answer must be A-D, 1-4 or an option's text")
            }
            input = AgentInput(
                learnerID: learner, channel: .api, action: .answer(attemptID: attempt, optionIndex: index))
        } else {
            // Graded against the learner's open quiz; the option's text counts too.
            input = AgentInput(learnerID: learner, channel: .api, text: answer)
        }
        let reply = try await turn(input, context)
        return JSONBody.response(ReplyBody(learnerID: learner, reply: reply), encoder: Self.encoder)
    }

    struct PathBody: Encodable {
        let learnerID: String
        let currentTopic: String?
        let difficulty: String?
        let upcomingTopics: [String]
        let dueReviews: [Review]
        struct Review: Encodable {
            let lessonID: String
            let dueAt: Date
            enum CodingKeys: String, CodingKey {
                case lessonID = "lesson_id"
                case dueAt = "due_at"
            }
        }
        enum CodingKeys: String, CodingKey {
            case difficulty
            case learnerID = "learner_id"
            case currentTopic = "current_topic"
            case upcomingTopics = "upcoming_topics"
            case dueReviews = "due_reviews"
        }
    }

    func learningPath(_ request: Request, _ context: Context) async throws -> Response {
        try authorise(request)
        let learner = try requireLearnerID(try pathLearnerID(context, "learner_id"))
        guard let id = try await knownLearner(learner) else { throw APIError.unknownLearner }
        do {
            let path = try await store.path(learnerID: id)
            let reviews = try await store.dueReviews(learnerID: id, asOf: Date(), limit: 20)
            return JSONBody.response(
                PathBody(
                    learnerID: learner, currentTopic: path?.currentTopic ?? curriculum.topics.first?.slug,
                    difficulty: (path?.difficulty ?? .easy).rawValue,
                    upcomingTopics: path?.upcomingTopics ?? [],
                    dueReviews: reviews.map { .init(lessonID: $0.lessonID, dueAt: $0.dueAt) }),
                encoder: Self.encoder)
        } catch {
            throw APIError.unavailable(error, context.logger)
        }
    }

    struct ProgressBody: Encodable {
        let learnerID: String
        let level: String
        let quizAverage: Double
        let quizzesAnswered: Int
        let topicsCovered: [String]
        let weakAreas: [String]
        let mastery: [AssessKnowledgeTool.Assessment]
        let interactions: Int
        let lastActiveAt: Date?
        enum CodingKeys: String, CodingKey {
            case level, mastery, interactions
            case learnerID = "learner_id"
            case quizAverage = "quiz_average"
            case quizzesAnswered = "quizzes_answered"
            case topicsCovered = "topics_covered"
            case weakAreas = "weak_areas"
            case lastActiveAt = "last_active_at"
        }
    }

    func progress(_ request: Request, _ context: Context) async throws -> Response {
        try authorise(request)
        let learner = try requireLearnerID(try pathLearnerID(context, "id"))
        guard let id = try await knownLearner(learner) else { throw APIError.unknownLearner }
        do {
            let profile = try await store.profile(learnerID: id)
            let engagement = try await store.engagementSummary(learnerID: id)
            let topics = profile?.topicsCovered ?? []
            var mastery: [AssessKnowledgeTool.Assessment] = []
            for topic in topics where curriculum.topic(topic) != nil {
                mastery.append(try await toolbox.assessKnowledge.assess(learnerID: id, topic: topic))
            }
            return JSONBody.response(
                ProgressBody(
                    learnerID: learner, level: (profile?.level ?? .beginner).rawValue,
                    quizAverage: profile?.quizAverage ?? 0, quizzesAnswered: profile?.quizCount ?? 0,
                    topicsCovered: topics, weakAreas: profile?.weakAreas ?? [], mastery: mastery,
                    interactions: engagement.total, lastActiveAt: engagement.lastInteractionAt),
                encoder: Self.encoder)
        } catch {
            throw APIError.unavailable(error, context.logger)
        }
    }

    // MARK: - Shared steps

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // One naming style for the whole API: attempt_id, quick_replies, selected_index.
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    private func authorise(_ request: Request) throws {
        guard apiKeys.isEnabled else { throw APIError.disabled }
        guard let supplied = request.headers[HTTPField.Name("X-API-Key")!], !supplied.isEmpty else {
            throw APIError.missingKey
        }
        guard apiKeys.isValid(supplied) else { throw APIError.invalidKey }
    }

    private func decode<T: Decodable>(_ request: Request) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: maxBodyBytes)
        let value: T
        do {
            value = try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError.malformed
        }
        // Postgres text cannot hold a NUL: refuse it rather than store something else than was sent.
        guard !InboundText.jsonContainsNUL(buffer.readableBytesView) else {
            throw APIError.unprocessable("text must not contain NUL characters")
        }
        return value
    }

    /// A learner id from the path, percent-decoded: ids the bodies carry as `emp 42` or `ann@example.com` arrive
    /// here as `emp%2042` or `ann%40example.com`.
    private func pathLearnerID(_ context: Context, _ name: String) throws -> String? {
        guard let raw = context.parameters.get(name) else { return nil }
        guard let decoded = raw.removingPercentEncoding else {
            throw APIError.unprocessable("learner_id in the path is not valid percent-encoded UTF-8")
        }
        return decoded
    }

    private func requireLearnerID(_ value: String?) throws -> String {
        guard let id = value?.trimmingCharacters(in: .whitespaces), !id.isEmpty else {
            throw APIError.unprocessable("learner_id is required")
        }
        guard id.count <= AgentOrchestrator.maxLearnerIDLength, !id.contains(where: \.isNewline),
            !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw APIError.unprocessable(
                "learner_id must be 1-\(AgentOrchestrator.maxLearnerIDLength) characters, without control characters")
        }
        return id
    }

    private func knownLearner(_ learner: String) async throws -> UUID? {
        do {
            return try await store.find(channel: .api, externalID: learner)
        } catch {
            throw APIError.unavailable(error, nil)
        }
    }

    /// The quiz options of an attempt's lesson (four blanks when the attempt is unknown: the agent then says
    /// the quiz is gone).
    private func options(ofAttempt id: UUID) async throws -> [String] {
        do {
            guard let attempt = try await store.attempt(id: id), let lesson = curriculum.lesson(id: attempt.lessonID)
            else { return ["", "", "", ""] }
            return lesson.quiz.options
        } catch {
            throw APIError.unavailable(error, nil)
        }
    }

    private func turn(_ input: AgentInput, _ context: Context) async throws -> AgentReply {
        do {
            return try await agent.handle(input)
        } catch let error as LearningError where error.code == .invalidInput {
            throw APIError.unprocessable(error.message)
        } catch {
            throw APIError.unavailable(error, context.logger)
        }
    }
}

/// Agent API failures: a status and a JSON `{"error", "message"}` body; never internal detail, never 500 for
/// bad input.
package enum APIError: HTTPResponseError {
    case disabled
    case missingKey
    case invalidKey
    case malformed
    case unprocessable(String)
    case unknownLearner
    case unavailable

    static func unavailable(_ error: any Error, _ logger: Logger?) -> APIError {
        logger?.error("agent API call failed", metadata: ["error": "\(error)"])
        return .unavailable
    }

    package var status: HTTPResponse.Status {
        switch self {
        case .disabled: .forbidden
        case .missingKey, .invalidKey: .unauthorized
        case .malformed: .badRequest
        case .unprocessable: .unprocessableContent
        case .unknownLearner: .notFound
        case .unavailable: .serviceUnavailable
        }
    }

    var code: String {
        switch self {
        case .disabled: "api_disabled"
        case .missingKey: "missing_api_key"
        case .invalidKey: "invalid_api_key"
        case .malformed: "malformed_json"
        case .unprocessable: "invalid_request"
        case .unknownLearner: "unknown_learner"
        case .unavailable: "unavailable"
        }
    }

    var message: String {
        switch self {
        case .disabled: "The agent API is disabled: no GATEWAY_API_KEYS are configured."
        case .missingKey: "Send your API key in the X-API-Key header."
        case .invalidKey: "The API key is not valid."
        case .malformed: "The body is not valid JSON of the expected shape."
        case .unprocessable(let reason): reason
        case .unknownLearner: "No learner with this id has used the API."
        case .unavailable: "The service is temporarily unavailable; retry later."
        }
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        try GatewayHTTPError(status: status, code: code, message: message).response(from: request, context: context)
    }
}
