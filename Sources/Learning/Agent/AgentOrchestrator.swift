import Foundation
import Logging

/// The deterministic planner: classifies each message, runs the tools it needs, answers, and remembers the
/// turn (redacted) and the interaction. It never knows which channel renders the reply.
package struct AgentOrchestrator: Sendable {
    package let curriculum: CurriculumPack
    package let toolbox: LearningToolbox
    package let memory: LearnerMemory
    let turns: any LearningTurnSource
    let redactor: PIIRedactor
    let clock: any WallClock
    let logger: Logger
    let classifier: IntentClassifier
    private let injectionScreen = PromptInjectionScreen()
    private let adviceGuard = AdviceGuard()

    /// Every dependency from one Postgres-backed store. `toolbox` and `memory` work on the store directly (for
    /// the LLM planner); the orchestrator's own turns run as ``LearningTurn``s.
    package init(curriculum: CurriculumPack, store: PostgresLearningStore, clock: any WallClock, logger: Logger) {
        let redactor = PIIRedactor()
        self.curriculum = curriculum
        self.toolbox = LearningToolbox(curriculum: curriculum, store: store, clock: clock)
        self.memory = LearnerMemory(store: store, history: store, redactor: redactor, clock: clock)
        self.turns = store
        self.redactor = redactor
        self.clock = clock
        self.logger = logger
        self.classifier = IntentClassifier(curriculum: curriculum)
    }

    /// The longest learner id accepted (Slack ids, E.164 numbers and API ids are far shorter).
    package static let maxLearnerIDLength = 128

    /// Handles one turn: resolves (or creates) the learner, answers, and records the turn and the interaction.
    package func handle(_ input: AgentInput) async throws -> AgentReply {
        guard !input.learnerID.isEmpty, input.learnerID.count <= Self.maxLearnerIDLength else {
            throw LearningError(
                code: .invalidInput,
                message: "an agent input needs a learner id of 1-\(Self.maxLearnerIDLength) characters")
        }
        let store = try await turns.openTurn(channel: input.channel, externalID: input.learnerID)
        let reply = try await handle(input, in: store)
        try await store.commit()
        return reply
    }

    /// Handles one turn inside a turn the caller opened (and commits): for callers that run many learners' turns
    /// and commit them together. `input.learnerID` is not resolved again; the turn's learner is the one answered.
    package func handle(_ input: AgentInput, in store: any LearningTurn) async throws -> AgentReply {
        let turn = Turn(store, channel: input.channel, curriculum: curriculum, redactor: redactor, clock: clock)
        let learnerID = turn.learnerID
        let learnerText: String
        let interaction: String
        let reply: AgentReply

        if let action = input.action {
            learnerText = Self.describe(action)
            (interaction, reply) = try await perform(action, turn)
        } else if let text = input.text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            learnerText = text
            if let rule = injectionScreen.matchedRule(in: text) {
                logger.warning(
                    "prompt injection screened",
                    metadata: ["learner": "\(learnerID)", "rule": "\(rule)", "channel": "\(input.channel.rawValue)"])
                interaction = "injection_blocked"
                reply = AgentReply(text: PromptInjectionScreen.safeAnswer, quickReplies: ["Next lesson", "Help"])
            } else {
                let open = try await openQuiz(turn)
                let intent = classifier.classify(text, openQuizOptions: open?.lesson.quiz.options)
                let advice = adviceGuard.check(text)
                // An answer to the open quiz is graded even if an option's text sounds like advice.
                if advice.isPersonalAdvice, !Self.isAnswer(intent) {
                    interaction = "advice_request"
                    reply = adviceReply(relatedTopic: advice.relatedTopic)
                } else {
                    interaction = intent.interaction
                    reply = try await respond(to: intent, turn, open: open)
                }
            }
        } else {
            learnerText = ""
            interaction = Intent.help.interaction
            reply = helpReply()
        }

        try await turn.memory.remember(learnerID: learnerID, turns: [(.learner, learnerText), (.agent, reply.text)])
        try await turn.toolbox.trackEngagement.record(
            learnerID: learnerID, interaction: interaction, channel: input.channel.rawValue)
        return reply
    }

    // MARK: - Planning

    /// One turn: the learner, the channel, and tools and memory over the turn's unit of work.
    struct Turn {
        let store: any LearningTurn
        let channel: Channel
        let toolbox: LearningToolbox
        let memory: LearnerMemory

        init(
            _ store: any LearningTurn, channel: Channel, curriculum: CurriculumPack, redactor: PIIRedactor,
            clock: any WallClock
        ) {
            self.store = store
            self.channel = channel
            self.toolbox = LearningToolbox(
                curriculum: curriculum, attempts: store, history: store, reviewStore: store, paths: store,
                engagement: store, clock: clock)
            self.memory = LearnerMemory(store: store, history: store, redactor: redactor, clock: clock)
        }

        var learnerID: UUID { store.learnerID }
        var attempts: any LessonAttemptStore { store }
        var paths: any LearningPathStore { store }
        var history: any QuizHistoryStore { store }
    }

    struct OpenQuiz {
        let attempt: LessonAttempt
        let lesson: Lesson
    }

    private func openQuiz(_ turn: Turn) async throws -> OpenQuiz? {
        guard let attempt = try await turn.attempts.openAttempt(learnerID: turn.learnerID),
            let lesson = curriculum.lesson(id: attempt.lessonID)
        else { return nil }
        return OpenQuiz(attempt: attempt, lesson: lesson)
    }

    private func perform(_ action: AgentAction, _ turn: Turn) async throws -> (String, AgentReply) {
        switch action {
        case .answer(let attemptID, let optionIndex):
            guard let attempt = try await turn.attempts.attempt(id: attemptID), attempt.learnerID == turn.learnerID,
                let lesson = curriculum.lesson(id: attempt.lessonID)
            else {
                return (
                    "quiz_answer",
                    AgentReply(
                        text: "That quiz is no longer available. Say \"next lesson\" for a new one.",
                        quickReplies: ["Next lesson"])
                )
            }
            let response = (0..<4).contains(optionIndex) ? Quiz.letter(optionIndex) : "\(optionIndex + 1)"
            return ("quiz_answer", try await answer(response, OpenQuiz(attempt: attempt, lesson: lesson), turn))
        case .nextLesson: return ("next_lesson", try await nextLesson(turn))
        case .startTopic(let topic):
            guard curriculum.topic(topic) != nil else { return ("learn_topic", offTopicReply()) }
            return ("learn_topic", try await learn(topic, turn))
        case .whatNext: return ("what_next", try await whatNext(turn))
        case .progress: return ("progress", try await progress(turn))
        case .mistakes: return ("mistakes", try await mistakes(turn))
        case .help: return ("help", helpReply())
        }
    }

    private func respond(to intent: Intent, _ turn: Turn, open: OpenQuiz?) async throws -> AgentReply {
        switch intent {
        case .greeting: return try await greeting(turn)
        case .learnTopic(let topic): return try await learn(topic, turn)
        case .nextLesson: return try await nextLesson(turn)
        case .answer(let text):
            guard let open else {
                return AgentReply(
                    text: "There's no open quiz right now. Say \"next lesson\" to get one.",
                    quickReplies: ["Next lesson"])
            }
            return try await answer(text, open, turn)
        case .whatNext: return try await whatNext(turn)
        case .progress: return try await progress(turn)
        case .mistakes: return try await mistakes(turn)
        case .help: return helpReply()
        case .practice(let topic, let industry): return try await practice(topic: topic, industry: industry, turn)
        case .offTopic: return offTopicReply()
        }
    }

    private static func isAnswer(_ intent: Intent) -> Bool {
        if case .answer = intent { return true }
        return false
    }

    private static func describe(_ action: AgentAction) -> String {
        switch action {
        case .answer(_, let index): "[answered \((0..<4).contains(index) ? Quiz.letter(index) : "\(index + 1)")]"
        case .nextLesson: "[next lesson]"
        case .startTopic(let topic): "[start topic \(topic)]"
        case .whatNext: "[what next]"
        case .progress: "[progress]"
        case .mistakes: "[mistakes]"
        case .help: "[help]"
        }
    }
}
