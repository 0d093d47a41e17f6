import Foundation

/// Plans a turn with a language model's tool use over the same six tools the deterministic planner uses: sends
/// the learner's message (redacted) with their recent turns and profile, runs each tool the model asks for, sends
/// the results back, and turns the model's final text (and any lesson a tool produced) into an ``AgentReply``.
///
/// It records nothing about the turn itself (memory, the turn's engagement): ``AdaptiveAgent`` does that once
/// the plan succeeds, so a failed plan that falls back to the deterministic planner is not recorded twice.
package struct LLMPlanner: Sendable {
    /// What the planner knows about the turn.
    package struct Turn: Sendable {
        package var learnerID: UUID
        package var channel: Channel
        /// The learner's message as written; the planner redacts it before the model sees it.
        package var message: String
        /// The remembered turns before this one, oldest first.
        package var recentTurns: [MemoryTurn]
        package var profile: LearnerProfile

        package init(
            learnerID: UUID, channel: Channel, message: String, recentTurns: [MemoryTurn], profile: LearnerProfile
        ) {
            self.learnerID = learnerID
            self.channel = channel
            self.message = message
            self.recentTurns = recentTurns
            self.profile = profile
        }
    }

    /// An interaction the model asked `track_engagement` to record, kept until the turn succeeds.
    package struct DeferredEngagement: Sendable, Equatable {
        package var interaction: String
        package var durationMilliseconds: Int?
    }

    /// A successful plan.
    package struct Outcome: Sendable {
        package var reply: AgentReply
        /// The tools run, in order.
        package var toolsUsed: [String]
        /// Interactions to record once the reply is final.
        package var engagements: [DeferredEngagement]
    }

    /// Tool rounds allowed per turn by default.
    package static let defaultMaxToolRounds = 5
    /// The longest reply text kept; chat and SMS renderers need short answers.
    package static let maxReplyCharacters = 2_000
    /// The longest remembered turn sent as context.
    static let maxContextTurnCharacters = 1_000

    private let model: any LanguageModel
    private let toolbox: LearningToolbox
    private let curriculum: CurriculumPack
    private let maxToolRounds: Int
    private let maxTokens: Int
    private let redactor: PIIRedactor
    /// The tool definitions sent with every request.
    package let tools: [LLMToolDefinition]

    /// - Parameters:
    ///   - model: The language model.
    ///   - toolbox: The six tools the model may run.
    ///   - curriculum: The topics the model may teach.
    ///   - maxToolRounds: Rounds of tool use allowed before the plan fails.
    ///   - maxTokens: Tokens the model may write per response.
    package init(
        model: any LanguageModel, toolbox: LearningToolbox, curriculum: CurriculumPack,
        maxToolRounds: Int = LLMPlanner.defaultMaxToolRounds, maxTokens: Int = 1_024, redactor: PIIRedactor = .init()
    ) throws {
        self.model = model
        self.toolbox = toolbox
        self.curriculum = curriculum
        self.maxToolRounds = max(0, maxToolRounds)
        self.maxTokens = maxTokens
        self.redactor = redactor
        self.tools = try toolbox.all.map { tool in
            var definition = try LLMToolDefinition(tool)
            if tool.name == toolbox.evaluateQuizResponse.name {
                definition.inputSchema = Self.removingProperty("attempt_id", from: definition.inputSchema)
            }
            return definition
        }
    }

    /// Plans one turn, finishing by `deadline`; each model call gets the time that is left.
    ///
    /// - Throws: ``LLMPlannerError`` when the model wants more than `maxToolRounds` rounds or ends with nothing to
    ///   say, the model's own errors, and storage errors from the tools. Tool input errors are not thrown: they go
    ///   back to the model as error results.
    package func plan(_ turn: Turn, deadline: ContinuousClock.Instant) async throws -> Outcome {
        let system = LLMSystemPrompt.make(
            curriculum: curriculum, learnerID: turn.learnerID, channel: turn.channel, profile: turn.profile)
        var messages = Self.history(turn.recentTurns, redactor: redactor)
        Self.append(.user(redactor.redact(turn.message)), to: &messages)
        var run = Run()
        var rounds = 0
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else {
                throw LLMPlannerError(code: .timedOut, message: "no time left for the next model call")
            }
            let response = try await model.respond(
                system: system, messages: messages, tools: tools, maxTokens: maxTokens, timeout: remaining)
            let uses = response.toolUses
            guard !uses.isEmpty else { return try finish(response, run) }
            guard rounds < maxToolRounds else {
                throw LLMPlannerError(
                    code: .tooManyToolRounds, message: "the model still wanted tools after \(maxToolRounds) rounds")
            }
            rounds += 1
            messages.append(LLMMessage(role: .assistant, content: response.content))
            var results: [LLMContentBlock] = []
            for use in uses {
                results.append(try await execute(use, turn: turn, run: &run))
            }
            messages.append(LLMMessage(role: .user, content: results))
            try Task.checkCancellation()
        }
    }

    // MARK: - Tools

    /// What the tools produced so far in one turn.
    struct Run {
        var lesson: LessonCard?
        var toolsUsed: [String] = []
        var engagements: [DeferredEngagement] = []
    }

    /// Runs one tool use and returns its `tool_result`. The learner is always the turn's learner, whatever id the
    /// model wrote, so a message cannot make the model read or change someone else's data.
    func execute(_ use: LLMToolUse, turn: Turn, run: inout Run) async throws -> LLMContentBlock {
        func failure(_ message: String) -> LLMContentBlock {
            .toolResult(toolUseID: use.id, content: message, isError: true)
        }
        guard case .object(var fields) = use.input else { return failure("\(use.name): input must be a JSON object") }
        let learner = JSONValue.string(turn.learnerID.uuidString)
        let channel = JSONValue.string(turn.channel.rawValue)
        switch use.name {
        case toolbox.assessKnowledge.name, toolbox.getLearningPath.name:
            fields["learner_id"] = learner
        case toolbox.generateAdaptiveLesson.name:
            var context: [String: JSONValue] = [:]
            if case .object(let given) = fields["learner_context"] { context = given }
            context["learner_id"] = learner
            context["channel"] = channel
            fields["learner_context"] = .object(context)
        case toolbox.evaluateQuizResponse.name:
            // Answers to the open quiz are graded and recorded by the deterministic planner, which also updates
            // the profile and path; here the tool only grades.
            fields["attempt_id"] = nil
        case toolbox.trackEngagement.name:
            guard case .string(let interaction) = fields["interaction"], Self.isValidInteraction(interaction) else {
                return failure("\(use.name): interaction must be 1-64 letters, digits, _ - or .")
            }
            var duration: Int?
            if case .number(let value) = fields["duration_ms"] {
                guard value >= 0, value <= Double(Int32.max) else {
                    return failure("\(use.name): duration_ms must be a non-negative int32")
                }
                duration = Int(value)
            }
            // Recorded when the turn succeeds, so a turn that falls back is not recorded twice.
            run.engagements.append(DeferredEngagement(interaction: interaction, durationMilliseconds: duration))
            run.toolsUsed.append(use.name)
            let output: JSONValue = .object(["recorded": .bool(true), "interaction": .string(interaction)])
            return .toolResult(toolUseID: use.id, content: output.jsonText, isError: false)
        default:
            break
        }
        let output: JSONValue
        do {
            output = try await toolbox.run(use.name, input: .object(fields))
        } catch let error as LearningError {
            return failure(error.description)
        }
        run.toolsUsed.append(use.name)
        if use.name == toolbox.generateAdaptiveLesson.name {
            run.lesson = try output.decoded(as: LessonCard.self)
        }
        return .toolResult(toolUseID: use.id, content: output.jsonText, isError: false)
    }

    static func isValidInteraction(_ interaction: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
        return !interaction.isEmpty && interaction.count <= TrackEngagementTool.maxInteractionLength
            && interaction.allSatisfy { allowed.contains($0) }
    }

    // MARK: - Messages

    /// The remembered turns as alternating messages starting with the learner's, redacted again in case an older
    /// row predates redaction.
    static func history(_ turns: [MemoryTurn], redactor: PIIRedactor) -> [LLMMessage] {
        var messages: [LLMMessage] = []
        for turn in turns {
            let text = String(redactor.redact(turn.content).prefix(maxContextTurnCharacters))
            guard !text.isEmpty else { continue }
            let message: LLMMessage = turn.role == .learner ? .user(text) : .assistant(text)
            // The conversation must open with the learner.
            if messages.isEmpty, message.role == .assistant { continue }
            append(message, to: &messages)
        }
        if messages.last?.role == .user { messages.append(.assistant("(no reply)")) }
        return messages
    }

    /// Appends `message`, merging it into the last one when both have the same role, so roles alternate.
    static func append(_ message: LLMMessage, to messages: inout [LLMMessage]) {
        if let last = messages.indices.last, messages[last].role == message.role {
            messages[last].content += message.content
        } else {
            messages.append(message)
        }
    }

    private func finish(_ response: LLMResponse, _ run: Run) throws -> Outcome {
        var text = String(response.text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(Self.maxReplyCharacters))
        let reply: AgentReply
        if let card = run.lesson {
            if text.isEmpty { text = "Here's a lesson on \(card.topicTitle): \(card.title). Answer with A, B, C or D." }
            reply = AgentReply(text: text, lesson: card, quickReplies: ["A", "B", "C", "D"])
        } else {
            guard !text.isEmpty else {
                throw LLMPlannerError(code: .emptyReply, message: "the model ended its turn without text")
            }
            reply = AgentReply(text: text, quickReplies: ["Next lesson", "Progress", "Help"])
        }
        return Outcome(reply: reply, toolsUsed: run.toolsUsed, engagements: run.engagements)
    }

    private static func removingProperty(_ name: String, from schema: JSONValue) -> JSONValue {
        guard case .object(var fields) = schema else { return schema }
        if case .object(var properties) = fields["properties"] {
            properties[name] = nil
            fields["properties"] = .object(properties)
        }
        if case .array(let required) = fields["required"] {
            fields["required"] = .array(required.filter { $0 != .string(name) })
        }
        return .object(fields)
    }
}
