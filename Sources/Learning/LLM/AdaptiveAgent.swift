import Foundation
import Logging

/// The agent the gateway uses: with a language model configured and its circuit closed, free-text turns are
/// planned by the LLM (``LLMPlanner``) within an overall timeout; on any failure (timeout, provider error,
/// malformed response, too many tool rounds) the turn is answered by the deterministic ``AgentOrchestrator``.
///
/// Turns that need no LLM always go to the deterministic planner: buttons and commands, quiz answers,
/// prompt-injection attempts and requests for personal financial advice. Either way the turn is recorded once:
/// the orchestrator records its own turns, and this type records a turn the LLM answered after it succeeds.
package struct AdaptiveAgent: AgentTurnHandler {
    /// Limits for the LLM path.
    package struct Options: Sendable {
        /// The longest an LLM turn may take, every model call and tool included, before falling back.
        package var timeout: Duration
        /// Rounds of tool use allowed per turn.
        package var maxToolRounds: Int
        /// Tokens the model may write per response.
        package var maxTokens: Int
        /// Consecutive LLM failures that open the circuit.
        package var failureThreshold: Int
        /// How long the circuit stays open before one turn probes the LLM again.
        package var openDuration: Duration

        package init(
            timeout: Duration = .seconds(10), maxToolRounds: Int = LLMPlanner.defaultMaxToolRounds,
            maxTokens: Int = 1_024, failureThreshold: Int = 3, openDuration: Duration = .seconds(30)
        ) {
            self.timeout = timeout
            self.maxToolRounds = maxToolRounds
            self.maxTokens = maxTokens
            self.failureThreshold = failureThreshold
            self.openDuration = openDuration
        }
    }

    /// Which planner answers a turn and why: logged at trace level, and returned by ``route(_:)``.
    package enum Route: String, Sendable, Hashable {
        case llm
        case noLanguageModel
        case action
        case emptyText
        case invalidLearner
        case injectionScreened
        case quizAnswer
        case adviceGuarded
        case circuitOpen
    }

    package let orchestrator: AgentOrchestrator
    /// The LLM's circuit breaker; nil without a language model.
    package let circuitBreaker: CircuitBreaker?
    private let planner: LLMPlanner?
    private let directory: any LearnerDirectory
    private let attempts: any LessonAttemptStore
    private let paths: any LearningPathStore
    private let clock: any WallClock
    private let logger: Logger
    private let options: Options
    private let classifier: IntentClassifier
    private let injectionScreen = PromptInjectionScreen()
    private let adviceGuard = AdviceGuard()

    /// - Parameters:
    ///   - orchestrator: The deterministic planner, for fallback and for turns that need no LLM.
    ///   - directory: Resolves the learner (the same store the orchestrator uses).
    ///   - attempts: Finds the learner's open quiz, so answers to it skip the LLM.
    ///   - paths: Moves the learner's path to a topic the LLM gave a lesson on.
    ///   - languageModel: The LLM; nil makes this agent the deterministic planner.
    ///   - clock: The circuit breaker's clock and the time paths are saved at.
    package init(
        orchestrator: AgentOrchestrator, directory: any LearnerDirectory, attempts: any LessonAttemptStore,
        paths: any LearningPathStore, languageModel: (any LanguageModel)?, options: Options = .init(),
        clock: any WallClock, logger: Logger
    ) throws {
        self.orchestrator = orchestrator
        self.directory = directory
        self.attempts = attempts
        self.paths = paths
        self.clock = clock
        self.logger = logger
        self.options = options
        self.classifier = IntentClassifier(curriculum: orchestrator.curriculum)
        if let languageModel {
            planner = try LLMPlanner(
                model: languageModel, toolbox: orchestrator.toolbox, curriculum: orchestrator.curriculum,
                maxToolRounds: options.maxToolRounds, maxTokens: options.maxTokens)
            circuitBreaker = CircuitBreaker(
                failureThreshold: options.failureThreshold, openDuration: options.openDuration, clock: clock)
        } else {
            planner = nil
            circuitBreaker = nil
        }
    }

    /// Every store from one Postgres-backed implementation.
    package init(
        orchestrator: AgentOrchestrator, store: PostgresLearningStore, languageModel: (any LanguageModel)?,
        options: Options = .init(), clock: any WallClock, logger: Logger
    ) throws {
        try self.init(
            orchestrator: orchestrator, directory: store, attempts: store, paths: store, languageModel: languageModel,
            options: options, clock: clock, logger: logger)
    }

    /// Answers one turn with the LLM when it may, else (or when it fails) with the deterministic planner.
    package func handle(_ input: AgentInput) async throws -> AgentReply {
        let decision = try await decide(input)
        guard case .llm(let learnerID, let text, let intent) = decision, let planner, let circuitBreaker else {
            if case .deterministic(let route) = decision {
                logger.trace("answering with the deterministic planner", metadata: ["route": "\(route.rawValue)"])
            }
            return try await orchestrator.handle(input)
        }
        let turn = LLMPlanner.Turn(
            learnerID: learnerID, channel: input.channel, message: text,
            recentTurns: try await orchestrator.memory.recentTurns(learnerID: learnerID),
            profile: try await orchestrator.memory.profile(learnerID: learnerID))
        guard circuitBreaker.tryAcquire() else {
            logger.debug("LLM circuit open; answering with the deterministic planner")
            return try await orchestrator.handle(input)
        }
        let outcome: LLMPlanner.Outcome
        do {
            let deadline = ContinuousClock.now.advanced(by: options.timeout)
            outcome = try await Self.withTimeout(options.timeout) {
                try await planner.plan(turn, deadline: deadline)
            }
            circuitBreaker.recordSuccess()
        } catch {
            circuitBreaker.recordFailure()
            logger.warning(
                "LLM planner failed; answering with the deterministic planner",
                metadata: [
                    "learner": "\(learnerID)", "error": "\(error)", "circuit": "\(circuitBreaker.state.rawValue)",
                ])
            return try await orchestrator.handle(input)
        }
        try await record(outcome, text: text, intent: intent, learnerID: learnerID, channel: input.channel)
        logger.debug(
            "LLM planner answered",
            metadata: ["learner": "\(learnerID)", "tools": "\(outcome.toolsUsed.joined(separator: ","))"])
        return outcome.reply
    }

    /// Which planner would answer `input` now (the circuit breaker aside) and why.
    package func route(_ input: AgentInput) async throws -> Route {
        switch try await decide(input) {
        case .llm: circuitBreaker?.state == .open ? .circuitOpen : .llm
        case .deterministic(let route): route
        }
    }

    // MARK: - Routing

    private enum Decision {
        case llm(learnerID: UUID, text: String, intent: Intent)
        case deterministic(Route)
    }

    private func decide(_ input: AgentInput) async throws -> Decision {
        guard planner != nil else { return .deterministic(.noLanguageModel) }
        guard input.action == nil else { return .deterministic(.action) }
        guard let text = input.text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return .deterministic(.emptyText)
        }
        // The orchestrator rejects these with its own error.
        guard !input.learnerID.isEmpty, input.learnerID.count <= AgentOrchestrator.maxLearnerIDLength else {
            return .deterministic(.invalidLearner)
        }
        // The orchestrator answers and logs injection attempts; they never reach the LLM.
        guard !injectionScreen.isInjection(text) else { return .deterministic(.injectionScreened) }
        let learnerID = try await directory.resolve(channel: input.channel, externalID: input.learnerID)
        var options: [String]?
        if let attempt = try await attempts.openAttempt(learnerID: learnerID) {
            options = orchestrator.curriculum.lesson(id: attempt.lessonID)?.quiz.options
        }
        let intent = classifier.classify(text, openQuizOptions: options)
        if case .answer = intent { return .deterministic(.quizAnswer) }
        guard !adviceGuard.check(text).isPersonalAdvice else { return .deterministic(.adviceGuarded) }
        return .llm(learnerID: learnerID, text: text, intent: intent)
    }

    // MARK: - Recording

    /// Records a turn the LLM answered the way the orchestrator records its own: both sides of the turn in
    /// memory, the topic of a lesson in the profile and path, one engagement event for the turn, and the
    /// interactions the model asked `track_engagement` to record.
    private func record(
        _ outcome: LLMPlanner.Outcome, text: String, intent: Intent, learnerID: UUID, channel: Channel
    ) async throws {
        let memory = orchestrator.memory
        let toolbox = orchestrator.toolbox
        try await memory.remember(learnerID: learnerID, turns: [(.learner, text), (.agent, outcome.reply.text)])
        if let card = outcome.reply.lesson {
            try await memory.recordTopicStarted(learnerID: learnerID, topic: card.topic)
            try await paths.savePath(
                LearningPath(
                    learnerID: learnerID, currentTopic: card.topic, difficulty: card.difficulty,
                    upcomingTopics: GetLearningPathTool.upcoming(after: card.topic, in: orchestrator.curriculum)),
                at: clock.now)
        }
        try await toolbox.trackEngagement.track(
            learnerID: learnerID, interaction: intent.interaction, channel: channel.rawValue)
        for engagement in outcome.engagements {
            try await toolbox.trackEngagement.track(
                learnerID: learnerID, interaction: engagement.interaction,
                durationMilliseconds: engagement.durationMilliseconds, channel: channel.rawValue)
        }
    }

    /// Runs `operation`, cancelling it and throwing `timedOut` when it takes longer than `timeout`.
    static func withTimeout<T: Sendable>(
        _ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask(operation: operation)
            group.addTask {
                try await Task.sleep(for: timeout)
                throw LLMPlannerError(code: .timedOut, message: "the LLM turn took longer than \(timeout)")
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            return first
        }
    }
}
